"""QC.Sec02 for Go: gosec's rules (criteria/go-security.yml) on tree-sitter-go's syntax tree,
run in the tools container. Decisive as bandit is for Python (HIGH severity, or MEDIUM with
HIGH confidence); names count only when imported from the rule's package; // #nosec is
honoured; tests are out of the security scope.
"""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest
import tree_sitter_go
from tree_sitter import Language, Parser

from sqaaas.core.outcomes import Outcome
from sqaaas.tools.goscan import imports, load_rules, scan
from sqaaas.tools.parsers import ParseError, goscan_json
from sqaaas.tools.spec import default_tools
from tests.conftest import run_probe

PARSER = Parser(Language(tree_sitter_go.language()))
# What careful reviewers accept: math/rand for a simulation, a command named by a literal,
# SQL with parameters, an MD5 checksum marked as such, a 2048-bit key, TLS 1.2.
CLEAN_GO = """package main

import (
\t"crypto/md5"
\t"crypto/rand"
\t"crypto/rsa"
\t"crypto/tls"
\t"database/sql"
\t"fmt"
\tmrand "math/rand"
\t"os/exec"
)

func main() {
\tcfg := &tls.Config{MinVersion: tls.VersionTLS12}
\tkey, _ := rsa.GenerateKey(rand.Reader, 2048)
\tsum := md5.Sum([]byte("artefact")) // #nosec G401 -- a checksum, not a secret
\tvar db *sql.DB
\tdb.Query("SELECT name FROM t WHERE id = ?", mrand.Intn(10))
\t_ = exec.Command("git", "status").Run()
\tfmt.Println(cfg, key, sum)
}
"""
SKIP_VERIFY = CLEAN_GO.replace("MinVersion: tls.VersionTLS12",
                               "MinVersion: tls.VersionTLS12, InsecureSkipVerify: true")


def _scan(source: str, path: str = "main.go"):
    return scan(path, source.encode(), load_rules(), PARSER)


def _codes(source: str) -> list[tuple[int, str, str]]:
    return [(h.line, h.code, h.severity) for h in _scan(source)[0]]


def test_clean_go_gives_only_warnings_and_honours_nosec():
    hits, suppressed = _scan(CLEAN_GO)
    assert [(h.code, h.severity) for h in hits] == [("G404-math-rand", "LOW")]
    assert suppressed == 1
    rule = default_tools()["go-security"].evidences["QC.Sec02"]
    parsed = goscan_json(
        '{"findings": [{"path": "/src/main.go", "line": 19, "column": 45, "code": '
        '"G404-math-rand", "message": "m", "severity": "LOW", "confidence": "HIGH"}], '
        '"suppressed": 1, "errors": []}', PurePosixPath("/src"))
    assert parsed.suppressed == 1 and parsed.findings[0].path == "main.go"
    assert not any(rule.decides(f.severity, f.code, f.confidence) for f in parsed.findings)


@pytest.mark.parametrize(
    ("change", "line", "code"),
    [
        (("MinVersion: tls.VersionTLS12", "MinVersion: tls.VersionTLS10"), 15,
         "G402-min-version"),
        (("MinVersion: tls.VersionTLS12}", "}\n\tcfg.InsecureSkipVerify = true"), 16,
         "G402-skip-verify"),
        (("rand.Reader, 2048", "rand.Reader, 1024"), 16, "G403-rsa-key"),
        ((" // #nosec G401 -- a checksum, not a secret", ""), 17, "G401-md5"),
    ],
    ids=["tls-1.0", "skip-verify-assigned", "rsa-1024", "md5"],
)
def test_each_decisive_rule_fires_for_its_weakness_alone(change, line, code):
    found = [(ln, c) for ln, c, sev in _codes(CLEAN_GO.replace(*change)) if sev != "LOW"]
    assert found == [(line, code)]


def test_names_count_only_when_imported_from_the_rules_package():
    other = 'package main\n\nimport md5 "example.com/fast/md5"\n\nfunc f() { md5.Sum(nil) }\n'
    assert _codes(other) == []
    aliased = 'package main\n\nimport h "crypto/sha1"\n\nfunc f() { h.Sum(nil) }\n'
    assert _codes(aliased) == [(5, "G401-sha1", "HIGH")]
    root = PARSER.parse(b'package p\nimport (\n "math/rand/v2"\n x "net"\n)\n').root_node
    assert imports(root) == {"rand": "math/rand/v2", "x": "net"}


def test_sql_and_commands_built_from_variables_are_warnings():
    source = ('package main\n\nimport (\n\t"database/sql"\n\t"fmt"\n\t"os"\n\t"os/exec"\n)\n\n'
              'func f(db *sql.DB) {\n'
              '\tdb.Query(fmt.Sprintf("SELECT * FROM t WHERE a = %s", os.Args[1]))\n'
              '\tdb.Exec("DELETE FROM t WHERE a = " + os.Args[1])\n'
              '\tdb.Exec("DELETE FROM t " + "WHERE a = 1")\n'
              '\texec.Command(os.Args[1]).Run()\n}\n')
    assert _codes(source) == [(11, "G201-sql-built", "MEDIUM"), (12, "G201-sql-built", "MEDIUM"),
                              (14, "G204-command", "LOW")]


def test_a_file_the_scan_could_not_read_is_an_error_not_a_pass():
    with pytest.raises(ParseError):
        goscan_json('{"findings": [], "errors": ["./a.go: Permission denied"]}',
                    PurePosixPath("/src"))
    with pytest.raises(ParseError):
        goscan_json("Traceback (most recent call last):", PurePosixPath("/src"))


@pytest.mark.containers
@pytest.mark.usefixtures("ready_engine")
def test_go_security_clean_passes_and_skip_verify_fails(repo_factory):
    good = run_probe(repo_factory({"main.go": CLEAN_GO, "go.mod": "module m\n\ngo 1.22\n"}),
                     "tools.QC.Sec02")
    assert good.outcome is Outcome.PASS, good.evidence
    summary = next(e for e in good.evidence if e.tool == "go-security" and "file(s)" in e.message)
    assert "1 info" in summary.message and "1 suppressed inline" in summary.message
    bad = run_probe(repo_factory({"main.go": SKIP_VERIFY, "go.mod": "module m\n"}),
                    "tools.QC.Sec02")
    assert bad.outcome is Outcome.FAIL, bad.evidence
    failing = [(e.path, e.line, e.message.split(":")[0]) for e in bad.evidence if e.failing]
    assert failing == [("main.go", 15, "G402-skip-verify")]


@pytest.mark.containers
@pytest.mark.usefixtures("ready_engine")
def test_weak_crypto_in_go_tests_is_out_of_scope(repo_factory):
    weak = ('package main\n\nimport (\n\t"crypto/md5"\n\t"testing"\n)\n\n'
            'func TestSum(t *testing.T) {\n\t_ = md5.Sum(nil)\n}\n')
    finding = run_probe(repo_factory({"main.go": CLEAN_GO, "main_test.go": weak}),
                        "tools.QC.Sec02")
    assert finding.outcome is Outcome.PASS, finding.evidence
    assert any("out of scope" in e.message and "G401-md5" in e.message
               for e in finding.evidence)
