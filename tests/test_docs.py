"""The README stays in step with the code it documents."""

from __future__ import annotations

import re

import pytest

from bot.cli import main
from bot.settings import Settings
from tests import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_readme_settings_table() -> None:
    table = README.split("## Settings", 1)[1].split("\n## ", 1)[0]
    missing = [name.upper() for name in Settings.model_fields if f"`{name.upper()}`" not in table]
    assert missing == []


def test_ci_runs_the_readme_test_command() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert re.search(r"^scripts/test\b", quick_start, re.M)
    assert "scripts/test" in (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", sorted(set(re.findall(r"`kolbot (\w[\w-]*)", README))))
def test_every_kolbot_subcommand_in_the_readme_exists(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0, capsys.readouterr().err
