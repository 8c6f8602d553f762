"""sqaaas.safeparse, unit by unit: each bound refuses what it should, quickly, with a message
naming the file and the limit; ordinary documents (anchors and merge keys included) load.

Inputs that could cost gigabytes were the bound ever lost are kept small enough here to stay
harmless; the full-size bombs run in a memory-capped child (test_parse_bombs.py).
"""

from __future__ import annotations

import copy
import os
import pickle
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sqaaas.errors import SqaaasError
from sqaaas.safeparse import (
    Limits,
    ParseError,
    ParseLimitError,
    load_json,
    load_toml,
    load_xml,
    load_yaml,
    load_yaml_document,
    read_document,
)


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    """'lol' nine times, nine lists of that, ... ``levels`` deep: 9**9 strings once walked."""
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    lines += [
        f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * width)}]" for n in range(1, levels + 1)
    ]
    return "\n".join(lines) + "\n"


def refused(call, limit: int, *words: str) -> ParseLimitError:
    """``call()`` raises ParseLimitError for ``limit`` within a second, naming the source."""
    started = time.monotonic()
    with pytest.raises(ParseLimitError) as caught:
        call()
    assert time.monotonic() - started < 1.0
    error = caught.value
    assert error.limit == limit
    assert str(error).startswith("doc: ")
    assert "\n" not in str(error)
    for word in words:
        assert word in str(error)
    return error


# ------------------------------------------------------------------ YAML


def test_yaml_alias_bomb_is_refused_by_the_alias_budget() -> None:
    error = refused(lambda: load_yaml(billion_laughs(), source="doc"), 50_000,
                    "more than 50000 nodes once YAML aliases are expanded", "billion laughs")
    assert isinstance(error, SqaaasError)  # the CLI's one-line error, exit 2, where it escapes


def test_yaml_alias_budget_is_the_limit_given() -> None:
    small = Limits(max_alias_nodes=100)
    refused(lambda: load_yaml(billion_laughs(3), source="doc", limits=small), 100, "100 nodes")
    assert load_yaml(billion_laughs(1), source="doc", limits=small)["a1"][8] == ["lol"] * 9


def test_yaml_aliases_of_one_long_string_are_refused_by_characters() -> None:
    text = f"s: &s {'x' * 100_000}\nl: [{', '.join(['*s'] * 50)}]\n"
    refused(lambda: load_yaml(text, source="doc"), 2 * 1024 * 1024, "characters")


def test_yaml_merge_keys_of_merge_keys_count_as_aliases() -> None:
    lines = ["m0: &m0 {k: v}"]
    lines += [f"m{n}: &m{n} {{<<: [{', '.join([f'*m{n - 1}'] * 9)}], k{n}: v}}"
              for n in range(1, 10)]
    refused(lambda: load_yaml("\n".join(lines), source="doc"), 50_000, "aliases")


def test_yaml_alias_inside_its_own_anchor_is_refused() -> None:
    refused(lambda: load_yaml("a: &a [x, *a]\n", source="doc"), 50_000, "*a", "endless")


@pytest.mark.parametrize("text", [
    "x: " + "[" * 100_000 + "]" * 100_000,  # flow: libyaml's own bound comes first
    "x:\n" + "- " * 100_000 + "leaf\n",  # block
    "x: " + "{a: " * 100_000 + "1" + "}" * 100_000,
], ids=["flow-sequences", "block-sequences", "flow-mappings"])
def test_yaml_deep_nesting_is_refused(text: str) -> None:
    refused(lambda: load_yaml(text, source="doc"), 200, "nested too deeply")


def test_yaml_depth_counts_what_an_alias_brings() -> None:
    text = "a: &a " + "[" * 150 + "]" * 150 + "\nb: " + "[" * 100 + "*a" + "]" * 100 + "\n"
    refused(lambda: load_yaml(text, source="doc"), 200, "over 200 levels")
    at_the_limit = "x: " + "[" * 199 + "]" * 199  # the mapping is level 1
    assert load_yaml(at_the_limit, source="doc") is not None
    one_more = "x: " + "[" * 200 + "]" * 200
    refused(lambda: load_yaml(one_more, source="doc"), 200, "over 200 levels")


def test_nesting_beyond_python_recursion_is_still_a_limit_error() -> None:
    """With a depth bound above what Python's recursion allows, the composer's own recursion
    (or libyaml's nesting bound) stops it: a ParseLimitError, never a RecursionError."""
    lax = Limits(max_depth=100_000)
    text = "x:\n" + "- " * 5000 + "leaf\n"
    refused(lambda: load_yaml(text, source="doc", limits=lax), 100_000, "nested too deeply")
    text = "x = " + "[" * 5000 + "]" * 5000
    refused(lambda: load_toml(text, source="doc", limits=lax), 100_000, "nested too deeply")
    text = "[" * 5000 + "]" * 5000
    refused(lambda: load_json(text, source="doc", limits=lax), 100_000, "nested too deeply")


@pytest.fixture
def unlimited_int_digits() -> Iterator[None]:
    """Python's own bound on int() lifted (PYTHONINTMAXSTRDIGITS=0): sqaaas' stays."""
    before = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    yield
    sys.set_int_max_str_digits(before)


@pytest.mark.usefixtures("unlimited_int_digits")
def test_yaml_long_integers_are_refused_in_every_base() -> None:
    for digits in ("1" * 5000, "0x" + "f" * 5000, "0b" + "1" * 5000, "1:" * 2500 + "1"):
        refused(lambda d=digits: load_yaml(f"n: {d}\n", source="doc"), 4300, "4300 digits")
    assert load_yaml(f"n: {'9' * 4300}\n", source="doc")["n"] > 0


def test_yaml_values_are_bounded_in_number() -> None:
    text = "[" + "1," * 300 + "1]"
    refused(lambda: load_yaml(text, source="doc", limits=Limits(max_nodes=100)), 100,
            "more than 100 values")


def test_yaml_size_is_checked_first() -> None:
    text = "a: b\n" * 500_000
    refused(lambda: load_yaml(text, source="doc"), 2 * 1024 * 1024, "larger than")
    refused(lambda: load_yaml("a: b\n", source="doc", size=3_000_000), 2 * 1024 * 1024,
            "larger than")  # the real size of a capped read


@pytest.mark.parametrize(("text", "words", "line"), [
    ("a: [unclosed\n", "invalid YAML: did not find expected", 2),
    ("a: 1\n---\nb: 2\n", "expected a single document", 2),
    ("a: *nowhere\n", "undefined alias", 1),
    ("a: !!python/object:os.system x\n", "could not determine a constructor", 1),
    ("? [k]\n: v\n", "unhashable key", 1),
    ("a: 2024-13-45\n", "invalid value", None),
])
def test_invalid_yaml_is_a_parse_error_not_a_limit(text: str, words: str, line: int) -> None:
    with pytest.raises(ParseError) as caught:
        load_yaml(text, source="doc")
    assert not isinstance(caught.value, ParseLimitError)
    assert words in str(caught.value)
    assert caught.value.line == line


def test_ordinary_yaml_with_anchors_and_merge_keys_loads() -> None:
    text = (
        "defaults: &defaults\n  image: python:3.12\n  tags: [docker, linux]\n"
        "test:\n  <<: *defaults\n  script: [pytest]\n"
        "lint:\n  <<: *defaults\n  image: python:3.11\n"
        "when: 2024-01-31\non: push\nn: 0x1F\n"
    )
    data = load_yaml(text, source="doc")
    assert data["test"] == {"image": "python:3.12", "tags": ["docker", "linux"],
                            "script": ["pytest"]}
    assert data["lint"]["image"] == "python:3.11"
    assert str(data["when"]) == "2024-01-31" and data[True] == "push" and data["n"] == 31
    assert load_yaml("", source="doc") is None
    workflow = "on: push\nx: &job {runs-on: ubuntu}\njobs: {" + ", ".join(
        f"j{n}: *job" for n in range(300)) + "}\n"
    assert len(load_yaml(workflow, source="doc")["jobs"]) == 300


def test_yaml_document_keeps_the_nodes_for_line_numbers() -> None:
    node, data = load_yaml_document("a: 1\nb:\n  c: 2\n", source="doc")
    assert data == {"a": 1, "b": {"c": 2}}
    assert node is not None and node.value[1][0].start_mark.line == 1


# ------------------------------------------------------------------ TOML


@pytest.fixture
def no_tomllib(monkeypatch: pytest.MonkeyPatch) -> None:
    """tomllib must not even see these documents (it could be made to recurse or to keep
    quadratic memory): the pre-scan refuses them."""

    def must_not_run(text: str) -> None:
        raise AssertionError("tomllib was given a document the pre-scan should refuse")

    monkeypatch.setattr("sqaaas.safeparse.tomldoc.tomllib.loads", must_not_run)


@pytest.mark.usefixtures("no_tomllib")
@pytest.mark.parametrize("text", [
    "x = " + "[" * 100_000 + "]" * 100_000,
    "x = " + "{a = " * 100_000 + "1" + "}" * 100_000,
    "[" + ".".join(["t"] * 100_000) + "]\nx = 1\n",
    # A dotted key of n parts makes tomllib keep n prefixes of it: quadratic. Refused before
    # tomllib sees it (5,000 parts stay harmless even were the bound lost).
    ".".join(["k"] * 5_000) + " = 1\n",
    'x = 1\n"a" . b . "c" . ' + " . ".join(["d"] * 300) + " = 1\n",
], ids=["arrays", "inline-tables", "table-header", "dotted-key", "spaced-quoted-key"])
def test_toml_deep_nesting_is_refused_before_parsing(text: str) -> None:
    refused(lambda: load_toml(text, source="doc"), 200, "TOML nested too deeply")


@pytest.mark.usefixtures("unlimited_int_digits")
def test_toml_long_integers_are_refused() -> None:
    refused(lambda: load_toml("n = " + "1" * 5000, source="doc"), 4300, "4300 digits")
    refused(lambda: load_toml("n = 0x" + "f" * 5000, source="doc"), 4300, "4300 digits")
    assert load_toml(f'n = {"9" * 4300}\ns = "{"1" * 5000}"\n', source="doc")["n"] > 0


@pytest.mark.usefixtures("no_tomllib")
def test_toml_values_are_counted_before_parsing() -> None:
    text = "".join(f"k{n}.a.b = 1\n" for n in range(100))
    refused(lambda: load_toml(text, source="doc", limits=Limits(max_nodes=150)), 150,
            "more than 150 values")


def test_toml_prescan_stays_linear_on_unclosed_strings() -> None:
    started = time.monotonic()
    with pytest.raises(ParseError):
        load_toml('a = "' + '\\"' * 200_000, source="doc")
    assert time.monotonic() - started < 2.0


def test_invalid_toml_names_the_line() -> None:
    with pytest.raises(ParseError) as caught:
        load_toml('[build-system]\nrequires = ["x"\n\n[project]\n', source="doc")
    assert not isinstance(caught.value, ParseLimitError)
    assert caught.value.line == 4 and caught.value.problem.startswith("invalid TOML: ")


def test_ordinary_toml_loads() -> None:
    text = (
        '[project]\nname = "x"\nversion = "1.0"\ndescription = "a.b.c [not] {a table}"\n'
        "[project.urls]\nHome = \"https://x.org/a.b\"\n"
        '[tool.x]\n"quoted.key".bare = 1.5e3\nwhen = 1979-05-27T07:32:00.999\n'
        "list = [[1, 2], [3.5, 4.5]]\ninline = {a = {b = 'c'}}\n"
        "multi = '''\nlines [ { .\n'''\n# a comment with [ { . \n"
    )
    data = load_toml(text, source="doc")
    assert data["project"]["urls"]["Home"] == "https://x.org/a.b"
    assert data["tool"]["x"]["quoted.key"]["bare"] == 1500.0
    assert data["tool"]["x"]["inline"]["a"]["b"] == "c"


# ------------------------------------------------------------------ JSON


def test_json_deep_nesting_is_refused() -> None:
    refused(lambda: load_json("[" * 100_000 + "]" * 100_000, source="doc"), 200,
            "JSON nested too deeply")
    refused(lambda: load_json("[" * 201 + "]" * 201, source="doc"), 200, "over 200 levels")
    assert isinstance(load_json("[" * 200 + "]" * 200, source="doc"), list)


@pytest.mark.usefixtures("unlimited_int_digits")
def test_json_long_integers_are_refused() -> None:
    refused(lambda: load_json('{"n": ' + "1" * 5000 + "}", source="doc"), 4300, "4300 digits")
    refused(lambda: load_json("-" + "1" * 5000, source="doc"), 4300, "4300 digits")
    assert load_json('{"n": -' + "9" * 4300 + ', "f": 1e999}', source="doc")["n"] < 0


def test_json_size_and_values_are_bounded() -> None:
    refused(lambda: load_json(b'"' + b"x" * 3_000_000 + b'"', source="doc"), 2 * 1024 * 1024,
            "larger than")
    refused(lambda: load_json("[" + "0," * 200 + "0]", source="doc", limits=Limits(
        max_nodes=100)), 100, "more than 100 values")


def test_invalid_json_names_line_and_column() -> None:
    with pytest.raises(ParseError) as caught:
        load_json('{\n  "a": 1\n  "b": 2\n}', source="doc")
    assert caught.value.line == 3
    assert str(caught.value) == "doc: line 3: invalid JSON: Expecting ',' delimiter (column 3)"
    with pytest.raises(ParseError):
        load_json(b"\xff\xfe\x00", source="doc")


def test_ordinary_json_loads() -> None:
    assert load_json('{"a": [1, 2.5, null, true, "x"], "b": {}}', source="doc") == {
        "a": [1, 2.5, None, True, "x"], "b": {}}


# ------------------------------------------------------------------ XML


def test_xml_deep_nesting_and_element_count_are_refused() -> None:
    refused(lambda: load_xml(b"<a>" * 100_000 + b"</a>" * 100_000, source="doc"), 200,
            "XML nested too deeply")
    many = b"<r>" + b"<t/>" * 200 + b"</r>"
    refused(lambda: load_xml(many, source="doc", limits=Limits(max_nodes=100)), 100,
            "more than 100 values")


def test_xml_entities_are_refused() -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "lol">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><l>&b;</l>')
    with pytest.raises(ParseError, match="declares entities"):
        load_xml(bomb, source="doc")


def test_ordinary_xml_loads() -> None:
    root = load_xml(b'<testsuite><testcase name="a"><failure message="m"/></testcase>'
                    b"</testsuite>", source="doc")
    assert [case.get("name") for case in root.iter("testcase")] == ["a"]
    with pytest.raises(ParseError) as caught:
        load_xml(b"<a><b></a>", source="doc")
    assert caught.value.line == 1


# ------------------------------------------------------------------ files and errors


def test_read_document_refuses_big_files_and_fifos_without_reading_them(tmp_path: Path) -> None:
    big = tmp_path / "big.yml"
    big.write_bytes(b"a: b\n" * 100_000)
    with pytest.raises(ParseLimitError, match="larger than 1000 bytes"):
        read_document(big, kind="YAML", limits=Limits(max_bytes=1000))
    fifo = tmp_path / "fifo.yml"
    os.mkfifo(fifo)
    with pytest.raises(ParseError, match="not a regular file"):
        read_document(fifo, kind="YAML")
    latin = tmp_path / "latin.yml"
    latin.write_bytes("a: é\n".encode("latin-1"))
    with pytest.raises(ParseError, match="not UTF-8"):
        read_document(latin, kind="YAML")
    assert read_document(big, kind="YAML").startswith("a: b\n")


def test_errors_survive_copy_and_pickle() -> None:
    """Facts remember a refusal and raise copies; web jobs pickle errors across processes."""
    error = ParseLimitError("w.yml", "YAML nested too deeply (over 200 levels)", 200, 3)
    for clone in (copy.copy(error), pickle.loads(pickle.dumps(error))):
        assert type(clone) is ParseLimitError
        assert (clone.source, clone.problem, clone.limit, clone.line) == (
            "w.yml", error.problem, 200, 3
        )
        assert str(clone) == "w.yml: line 3: YAML nested too deeply (over 200 levels)"


# ------------------------------------------------------------------ facts and probes


def test_a_refused_fact_is_parsed_once_and_refused_to_every_probe() -> None:
    from sqaaas.context import FactCache

    calls = []

    def bomb_fact(ctx: FactCache) -> object:
        calls.append(1)
        raise ParseLimitError("w.yml", "more than 50000 nodes once YAML aliases are expanded",
                              50_000)

    cache = FactCache()
    for _ in range(3):
        with pytest.raises(ParseLimitError, match=r"^w\.yml: more than 50000"):
            cache.fact(bomb_fact)
    assert calls == [1]


def test_a_probe_meeting_a_parse_error_answers_error_with_file_and_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sqaaas.core import registry
    from sqaaas.core.outcomes import Outcome

    monkeypatch.setattr(registry, "_PROBES", dict(registry._PROBES))  # registered for this test

    @registry.probe("test.safeparse_refusal")
    def reads_a_bomb(ctx: object) -> object:
        raise ParseLimitError("CITATION.cff", "YAML nested too deeply (over 200 levels)", 200)

    finding = reads_a_bomb(None)
    assert finding.outcome is Outcome.ERROR
    (evidence,) = finding.evidence
    assert evidence.message == "CITATION.cff: YAML nested too deeply (over 200 levels)"
    assert (evidence.path, evidence.value) == ("CITATION.cff", 200)
    assert "CITATION.cff" in (finding.hint or "")
