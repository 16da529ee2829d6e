"""`kolbot search` starts on what it needs: with the database already at the latest revision it
imports neither alembic nor what only other commands or the serving processes use (the services a
search does not call, the cards, TikHub's client on demo data, the metrics, PostgreSQL's dialect).
Checked in a fresh interpreter, so nothing this test process imported counts."""

from __future__ import annotations

import subprocess
import sys
from functools import cached_property
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from bot.db.migrate import SCRIPT_LOCATION, head_revisions
from bot.services import Services, build_services
from bot.settings import Settings

LAZY = (
    "alembic",  # only to migrate
    "bot.digests.clock",
    "bot.digests.pipeline",
    "bot.deepdive.service",
    "bot.planner.service",
    "numpy",  # plans
    "bot.home",
    "bot.workspaces",
    "bot.slack_clients",
    "bot.cards.views",  # the table renders no card
    "bot.sources.tikhub",  # demo data
    "prometheus_client",  # a search counts no metric
    "sqlalchemy.dialects.postgresql",  # SQLite
)
SCRIPT = (
    "import sys\n"
    "from bot.cli import main\n"
    "rc = main(['search', '护肤'])\n"
    f"print('loaded:', rc, *[m for m in {LAZY!r} if m in sys.modules])\n"
)
# The services a search does not use: built on first use, or all at once by a serving process.
ON_FIRST_USE = {"deepdive", "digests", "slack", "workspaces", "plans", "home", "shortlist_gate"}


def loaded_by_a_search(cwd: Path) -> list[str]:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, cwd=cwd)
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("loaded: 0"), done.stdout + done.stderr
    return last.split()[2:]


def test_a_search_on_a_migrated_database_imports_only_what_it_uses(tmp_path: Path) -> None:
    assert "alembic" in loaded_by_a_search(tmp_path)  # the first run creates the database
    assert loaded_by_a_search(tmp_path) == []


def test_the_latest_revision_read_from_the_files_is_alembics_head() -> None:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    assert head_revisions() == set(ScriptDirectory.from_config(config).get_heads())


def test_a_serving_process_has_every_service_built_at_start_up(services: Services) -> None:
    lazy = {name for name, attr in vars(Services).items() if isinstance(attr, cached_property)}
    assert lazy >= ON_FIRST_USE
    assert lazy <= set(vars(services))  # no request pays for an import


def test_a_one_shot_command_builds_a_service_when_it_first_uses_it(settings: Settings) -> None:
    services = build_services(settings, one_shot=True)
    try:
        assert not ON_FIRST_USE & set(vars(services))
        plans = services.plans
        assert services.plans is plans
        assert ON_FIRST_USE & set(vars(services)) == {"plans"}
    finally:
        services.close()


def test_the_kolbot_command_exits_with_mains_code_after_freezing_the_heap(tmp_path: Path) -> None:
    probe = (
        "import atexit, gc\n"
        "atexit.register(lambda: print('frozen:', gc.get_freeze_count() > 0))\n"
        "from bot.cli import run\n"
        "run(['search', 'followers>=abc'])\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 2, done.stderr  # a user error, as `main` returns it
    assert done.stdout.strip().splitlines()[-1] == "frozen: True"
