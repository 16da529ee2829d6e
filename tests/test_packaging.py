"""What kolbot reads at run time comes from the installed package; what it writes goes to the working
directory. scripts/smoke-wheel checks the same against a real wheel install."""

from __future__ import annotations

import tomllib
from importlib.resources import files
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory

import bot
from bot.cards.env import get_env
from bot.db.migrate import SCRIPT_LOCATION
from bot.demo import synth
from bot.settings import Settings
from tests import REPO_ROOT

PACKAGE_DATA = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]


def test_the_default_data_dir_is_data_under_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KOLBOT_DATA_DIR")
    monkeypatch.chdir(tmp_path)
    settings = Settings(_env_file=None)
    assert settings.kolbot_data_dir == tmp_path / "data"
    assert settings.effective_database_url == f"sqlite:///{tmp_path}/data/kolbot.db"
    assert not settings.kolbot_data_dir.is_relative_to(Path(bot.__file__).parent.parent)


def test_templates_demo_data_and_migrations_are_package_resources() -> None:
    assert "results.json.j2" in get_env().list_templates()
    assert files("bot.templates").joinpath("results.json.j2").is_file()
    assert synth.BUNDLE_PATH.is_file()
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    assert ScriptDirectory.from_config(config).get_current_head() is not None


def _left_out(package_root: Path, globs: list[str], found: list[Path]) -> list[Path]:
    """The files no package-data glob (as setuptools expands it) nor `*.py` puts in the wheel."""
    shipped = {path for pattern in globs for path in package_root.glob(pattern)}
    return [path for path in found if path.suffix != ".py" and path not in shipped]


@pytest.mark.parametrize(
    ("package", "folder"),
    [("bot.templates", "templates"), ("bot", "bot/demo_data"), ("bot.db", "bot/db/migrations")],
)
def test_every_runtime_file_is_in_the_package_data(package: str, folder: str) -> None:
    root = REPO_ROOT / ("templates" if package == "bot.templates" else package.replace(".", "/"))
    found = [p for p in (REPO_ROOT / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    assert found and _left_out(root, PACKAGE_DATA[package], found) == []
