"""QC.Sty01 for Java: Checkstyle with sqaaas's community rule set (criteria/checkstyle.xml).

Decisive only where Google Java Style, Oracle's conventions and the IDE formatters agree
(type/method/package names, one top-level type per file, one statement per line, 'L'
literals, Java-style arrays); layout that differs between real projects (indentation
width, tabs, star imports, braces, line length, field names such as mCount or N) is a
warning. Each decisive rule has a fixture that fails for it alone.
"""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from sqaaas.core.outcomes import Outcome
from sqaaas.repofs import RepoFS
from sqaaas.tools.configs.base import Where
from sqaaas.tools.configs.checkstyle_conf import checkstyle_config
from sqaaas.tools.parsers import ParseError, checkstyle_xml
from sqaaas.tools.spec import default_tools
from tests.conftest import run_probe

ROOT = PurePosixPath("/src")

# What careful reviewers of real Java projects accept: 4-space and tab indentation, a star
# import, no Javadoc, a one-line if without braces, a 120-column line, Android-style and
# mathematical field names, a lower-case logger constant, an underscored JUnit test name.
CLEAN_JAVA = """package org.example.calc;

import java.util.*;

public class Calculator {
    private static final Object log = new Object();
    private int mCount;
    private final double N = 3.0;

    public int add(int a, int b) {
        if (a == 0) return b;
        mCount++;
        return a + b;
    }

    public List<String> names() {
\treturn new ArrayList<>(List.of(@LETTERS@));
    }

    void should_add_two_numbers() {
        long big = 10L;
        int[] values = {1, 2};
        mCount += values.length + (int) big + (int) N;
    }
}
""".replace("@LETTERS@", ", ".join(f'"{c}"' for c in "abcdefghijklmn"))  # a 105-column line
TEST_JAVA = """package org.example.calc;

class CalculatorTest {
  void adds() {
    new Calculator().add(1, 2);
  }
}
"""


def _bad(line: str) -> str:
    """The clean class with one line replaced: it fails for that line alone."""
    return CLEAN_JAVA.replace("        long big = 10L;\n", line)


DECISIVE = [
    # (case, file name, source, failing line, check)
    ("method-name", "src/main/java/org/example/calc/Calculator.java",
     CLEAN_JAVA.replace("public int add(", "public int Add_Numbers("), 10, "MethodName"),
    ("long-literal", "src/main/java/org/example/calc/Calculator.java",
     _bad("        long big = 10l;\n"), 21, "UpperEll"),
    ("c-style-array", "src/main/java/org/example/calc/Calculator.java",
     CLEAN_JAVA.replace("int[] values", "int values[]"), 22, "ArrayTypeStyle"),
    ("two-statements", "src/main/java/org/example/calc/Calculator.java",
     _bad("        long big = 10L; mCount++;\n"), 21, "OneStatementPerLine"),
    ("type-name", "src/main/java/org/example/calc/calculator_impl.java",
     CLEAN_JAVA.replace("class Calculator ", "class calculator_impl "), 5, "TypeName"),
    ("file-name", "src/main/java/org/example/calc/Calc.java", CLEAN_JAVA, 5,
     "OuterTypeFilename"),
]


def test_checkstyle_report_is_parsed_and_an_unparsable_file_is_not_a_finding():
    report = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<checkstyle version="8.36.1">\n'
        '<file name="/src/src/A.java">\n<error line="3" column="9" severity="error" '
        'message="Name &apos;Do_It&apos; must match pattern." '
        'source="com.puppycrawl.tools.checkstyle.checks.naming.MethodNameCheck"/>\n'
        '<error line="7" severity="warning" message="Line is longer than 100 characters." '
        'source="com.puppycrawl.tools.checkstyle.checks.sizes.LineLengthCheck"/>\n</file>\n'
        '<file name="/src/B.java">\n<error line="1" severity="error" message="Got an exception'
        ' - x&#10;Caused by: /src/B.java:2:8: unexpected token: sealed&#10;at y" '
        'source="com.puppycrawl.tools.checkstyle.Checker"/>\n</file>\n</checkstyle>\n'
    )
    found = checkstyle_xml(report, ROOT).findings
    assert [(f.path, f.line, f.code, f.severity) for f in found] == [
        ("src/A.java", 3, "MethodName", "error"), ("src/A.java", 7, "LineLength", "warning"),
        ("B.java", 1, "not-parsed", "warning")]
    assert "unexpected token: sealed" in found[2].message
    rule = default_tools()["checkstyle"].evidences["QC.Sty01"]
    assert [rule.decides(f.severity, f.code) for f in found] == [True, False, False]
    for broken in ("", '<?xml version="1.0"?>\n<checkstyle version="8.36.1">\n<file name="a">',
                   "<html/>"):
        with pytest.raises(ParseError):
            checkstyle_xml(broken, ROOT)  # no complete report: nothing was checked


def test_the_rule_set_is_ours_and_the_repository_config_is_named_not_used(repo_factory):
    fs = RepoFS(repo_factory({"A.java": TEST_JAVA, "config/checkstyle/checkstyle.xml": "<x/>"}))
    config = checkstyle_config(fs, Where("/src", "/cfg/checkstyle"))
    assert config.args == ["-c", "/cfg/checkstyle/checkstyle.xml"]
    rules = config.files["checkstyle.xml"]
    assert '<module name="UpperEll"><property name="severity" value="error"/>' in rules
    assert "SuppressionCommentFilter" in rules and "SuppressWarningsHolder" in rules
    assert any("config/checkstyle/checkstyle.xml not used" in n for n in config.notes)


@pytest.mark.containers
@pytest.mark.usefixtures("ready_engine")
def test_java_that_careful_reviewers_accept_passes(repo_factory):
    repo = repo_factory({
        "src/main/java/org/example/calc/Calculator.java": CLEAN_JAVA,
        "src/test/java/org/example/calc/CalculatorTest.java": TEST_JAVA,
    })
    finding = run_probe(repo, "tools.QC.Sty01")
    assert finding.outcome is Outcome.PASS, finding.evidence
    summary = next(e for e in finding.evidence if e.tool == "checkstyle" and "file(s)" in e.message)
    assert "Checkstyle 8.36" in summary.message and "2 file(s)" in summary.message
    assert "warning" in summary.message  # the taste findings are shown, not decisive
    assert not any(e.failing for e in finding.evidence)


@pytest.mark.containers
@pytest.mark.usefixtures("ready_engine")
@pytest.mark.parametrize(("path", "source", "line", "check"),
                         [case[1:] for case in DECISIVE], ids=[case[0] for case in DECISIVE])
def test_a_real_java_style_violation_fails(repo_factory, path, source, line, check):
    repo = repo_factory({path: source,
                         "src/test/java/org/example/calc/CalculatorTest.java": TEST_JAVA})
    finding = run_probe(repo, "tools.QC.Sty01")
    assert finding.outcome is Outcome.FAIL, finding.evidence
    failing = [(e.path, e.line, e.message.split(":")[0]) for e in finding.evidence if e.failing]
    assert failing == [(path, line, check)], failing


@pytest.mark.containers
@pytest.mark.usefixtures("ready_engine")
def test_inline_suppressions_are_honoured_and_newer_syntax_is_not_a_finding(repo_factory):
    suppressed = CLEAN_JAVA.replace(
        "    public int add(",
        '    @SuppressWarnings("checkstyle:MethodName")\n    public int Add_(')
    sealed = ("package org.example.calc;\n\npublic sealed interface Shape permits Square {\n"
              "  static String kind(Object o) {\n    return switch (o) {\n"
              "      case Square s when s.hashCode() > 0 -> \"square\";\n"
              "      default -> \"other\";\n    };\n  }\n}\n")
    repo = repo_factory({"src/main/java/org/example/calc/Calculator.java": suppressed,
                         "src/main/java/org/example/calc/Shape.java": sealed})
    finding = run_probe(repo, "tools.QC.Sty01")
    assert finding.outcome is Outcome.PASS, finding.evidence
    assert any(e.path == "src/main/java/org/example/calc/Shape.java"
               and e.message.startswith("not-parsed: not checked") for e in finding.evidence)
