"""RepoFS: symlink safety, capped reads, encodings, ignored trees, world-writable files."""

from __future__ import annotations

import os

import pytest

from sqaaas.repofs import RepoFS, UnsafePathError


def test_symlink_leaving_the_repo_is_not_read(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("TOP SECRET host file")
    root = tmp_path / "repo"
    root.mkdir()
    (root / "LICENSE").symlink_to(outside)
    (root / "inside.txt").write_text("fine")
    (root / "alias.txt").symlink_to(root / "inside.txt")
    fs = RepoFS(root)
    with pytest.raises(UnsafePathError, match="outside the repository"):
        fs.read_text("LICENSE")
    assert fs.is_outside_link("LICENSE")
    assert not fs.is_file("LICENSE")
    assert fs.read_text("alias.txt").text == "fine"
    assert [f.path for f in fs.files] == ["alias.txt", "inside.txt"]
    with pytest.raises(UnsafePathError):
        fs.read_text("../secret.txt")


def test_huge_file_read_is_capped(tmp_path):
    (tmp_path / "README.md").write_bytes(b"word " * 10_000_000)  # 50 MB
    text = RepoFS(tmp_path).read_text("README.md", limit=1000)
    assert text.truncated and len(text.text) == 1000 and text.size == 50_000_000


def test_non_utf8_is_decoded_and_flagged(tmp_path):
    (tmp_path / "README.md").write_bytes("Caf\xe9 cr\xe8me".encode("latin-1"))
    text = RepoFS(tmp_path).read_text("README.md")
    assert text.lossy and text.text.startswith("Caf")
    (tmp_path / "ok.md").write_text("Café", encoding="utf-8")
    assert not RepoFS(tmp_path).read_text("ok.md").lossy


def test_vendored_generated_and_minified_files_are_ignored(tmp_path):
    for rel in [
        "src/app.py",
        "node_modules/x/index.js",
        "vendor/lib.go",
        "dist/app.js",
        "static/app.min.js",
        "env/pyvenv.cfg",
        "env/lib/site.py",
        "third_party/a.c",
    ]:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    assert [f.path for f in RepoFS(tmp_path).files] == ["src/app.py"]


def test_world_writable_files_found(tmp_path):
    (tmp_path / "ok.txt").write_text("x")
    bad = tmp_path / "bad.txt"
    bad.write_text("x")
    os.chmod(bad, 0o666)
    assert RepoFS(tmp_path).world_writable() == ["bad.txt"]


def test_find_is_case_insensitive_and_extension_agnostic(tmp_path):
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "contributing.rst").write_text("x")
    (tmp_path / "CODE_OF_CONDUCT.md").write_text("x")
    fs = RepoFS(tmp_path)
    assert fs.find(["CONTRIBUTING"], dirs=("", ".github")) == [".github/contributing.rst"]
    assert fs.find(["code_of_conduct"]) == ["CODE_OF_CONDUCT.md"]


def test_try_read_text_is_none_for_missing_unsafe_and_folders(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("TOP SECRET host file")
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    (root / "README.md").write_text("# Tool\n")
    (root / "LICENSE").symlink_to(outside)
    fs = RepoFS(root)
    file = fs.try_read_text("README.md", limit=4)
    assert file is not None and (file.text, file.truncated, file.size) == ("# To", True, 7)
    assert fs.try_read_text("LICENSE") is None
    assert fs.try_read_text("../secret.txt") is None
    assert fs.try_read_text("missing.txt") is None
    assert fs.try_read_text("docs") is None
    assert (fs.is_file("README.md"), fs.is_dir("docs"), fs.exists("LICENSE")) == (True, True, False)
