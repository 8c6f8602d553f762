"""The CLI package: commands load lazily from one table, and their choices come from the one
list each (badge levels, report formats, CI targets)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml

from sqaaas.cli import COMMANDS, main
from sqaaas.core.catalogue import NO_LEVEL, default_catalogue, load_catalogue
from sqaaas.datafiles import data_path
from sqaaas.errors import CriteriaDataError
from sqaaas.pipelines import TARGETS
from sqaaas.report.formats import REPOSITORY_FORMATS, SERVICE_FORMATS

REPO_ROOT = Path(__file__).resolve().parents[1]


def _command(name: str) -> click.Command:
    command = main.get_command(click.Context(main), name)
    assert command is not None, name
    return command


def _choices(command: click.Command, option: str) -> tuple[str, ...]:
    param = next(p for p in command.params if p.name == option)
    assert isinstance(param.type, click.Choice)
    return tuple(param.type.choices)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_table_entry_is_its_command_with_its_summary(name: str) -> None:
    command = _command(name)
    assert command.name == name
    assert COMMANDS[name][1] == command.get_short_help_str(10_000)


def test_help_lists_every_command_without_importing_one() -> None:
    code = (
        "import json, sys\n"
        "from sqaaas.cli import main\n"
        "try:\n"
        "    main(['--help'], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=REPO_ROOT)
    assert proc.returncode == 0, proc.stderr
    loaded = json.loads(proc.stdout.splitlines()[-1])
    for name in COMMANDS:
        assert f"  {name} " in proc.stdout, name
    modules = {f"sqaaas.cli.{where.split(':')[0]}" for where, _ in COMMANDS.values()}
    assert not modules & set(loaded)
    heavy = ("fastapi", "uvicorn", "sqaaas.probes", "sqaaas.platform.containers", "sqaaas.web")
    assert [m for m in loaded if m.startswith(heavy)] == []


def test_choices_come_from_the_one_list_of_each() -> None:
    assert _choices(_command("assess"), "fail_under") == default_catalogue().level_names
    assert _choices(_command("assess"), "fmt") == REPOSITORY_FORMATS
    assert _choices(_command("onboard"), "fmt") == SERVICE_FORMATS
    pipeline = _command("pipeline")
    assert isinstance(pipeline, click.Group)
    assert _choices(pipeline.commands["generate"], "target") == TARGETS


def test_level_names_and_reaching_a_level() -> None:
    catalogue = default_catalogue()
    assert catalogue.level_names == ("bronze", "silver", "gold")
    assert catalogue.reaches("silver", "bronze") and catalogue.reaches("silver", "silver")
    assert not catalogue.reaches("silver", "gold")
    assert not catalogue.reaches(NO_LEVEL, "bronze")


def test_a_level_table_must_name_exactly_the_levels() -> None:
    catalogue = default_catalogue()
    catalogue.check_level_table([NO_LEVEL, "bronze", "silver", "gold"], "table")
    with pytest.raises(CriteriaDataError, match=r"table: no entry for level\(s\) gold; "
                       r"unknown level\(s\) platinum"):
        catalogue.check_level_table([NO_LEVEL, "bronze", "silver", "platinum"], "table")


def test_every_badge_scheme_climbs_the_same_levels(tmp_path: Path) -> None:
    root = tmp_path / "criteria"
    shutil.copytree(data_path("criteria"), root)
    badges = root / "badges.yml"
    data = yaml.safe_load(badges.read_text(encoding="utf-8"))
    data["fair"]["levels"] = data["fair"]["levels"][:2]
    badges.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(CriteriaDataError, match=r"entry fair\.levels: bronze, silver differ from"):
        load_catalogue(root)
