"""Test reports come from the sandboxed (untrusted) suite: parsed without entity expansion."""

from __future__ import annotations

from sqaaas.sandbox.results import parse_junit

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<testsuites><testsuite name="x" tests="1"><testcase name="&lol2;"/></testsuite></testsuites>
"""

GOOD = b"""<?xml version="1.0"?>
<testsuites><testsuite name="s" tests="2" failures="1">
<testcase classname="t" name="ok"/>
<testcase classname="t" name="bad"><failure message="boom">trace</failure></testcase>
</testsuite></testsuites>
"""


def test_entity_declarations_are_refused():
    assert parse_junit(BOMB) is None


def test_a_plain_report_is_counted():
    parsed = parse_junit(GOOD)
    assert parsed is not None
    counts, failures = parsed
    assert counts["passed"] == 1 and counts["failed"] == 1
    assert failures and "bad" in str(failures[0])
