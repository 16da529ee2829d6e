"""`kolbot search` starts on what it needs: with the database already at the latest revision it
imports neither alembic nor the digest clock (nor numpy, which only plans use). Checked in a fresh
interpreter, so nothing this test process imported counts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from bot.db.migrate import SCRIPT_LOCATION, head_revisions

LAZY = ("alembic", "bot.digests.clock", "numpy")
SCRIPT = (
    "import sys\n"
    "from bot.cli import main\n"
    "rc = main(['search', '护肤'])\n"
    f"print('loaded:', rc, *[m for m in {LAZY!r} if m in sys.modules])\n"
)


def loaded_by_a_search(cwd: Path) -> list[str]:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, cwd=cwd)
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("loaded: 0"), done.stdout + done.stderr
    return last.split()[2:]


def test_a_search_on_a_migrated_database_imports_neither_alembic_nor_the_clock(tmp_path: Path) -> None:
    assert loaded_by_a_search(tmp_path) == ["alembic"]  # the first run creates the database
    assert loaded_by_a_search(tmp_path) == []


def test_the_latest_revision_read_from_the_files_is_alembics_head() -> None:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    assert head_revisions() == set(ScriptDirectory.from_config(config).get_heads())
