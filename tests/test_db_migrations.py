from __future__ import annotations

import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from bot.db.engine import make_engine
from bot.db.migrate import SCRIPT_LOCATION, migrate
from bot.db.tables import Base, is_ours


def _schema_diff(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": is_ours})
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def _revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def test_migrations_produce_exactly_the_models_schema(empty_db_url: str) -> None:
    migrate(empty_db_url)
    assert _schema_diff(empty_db_url) == []


def test_migrate_upgrades_to_head_and_is_repeatable(empty_db_url: str) -> None:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    head = ScriptDirectory.from_config(config).get_current_head()
    migrate(empty_db_url)
    migrate(empty_db_url)
    assert _revision(empty_db_url) == head
    engine = make_engine(empty_db_url)
    tables = set(inspect(engine).get_table_names())
    ours = {name for name in tables if is_ours(name, "table")}
    assert ours == set(Base.metadata.tables) | {"alembic_version"}
    queue = {"procrastinate_jobs", "procrastinate_workers"}
    assert queue <= tables if engine.dialect.name == "postgresql" else not queue & tables
    engine.dispose()


def test_unmigrated_database_differs_from_models(empty_db_url: str) -> None:
    """Guards the comparison itself: an empty database must not pass as up to date."""
    assert _schema_diff(empty_db_url) != []


def test_two_processes_can_migrate_at_once(empty_db_url: str) -> None:
    # Each process imports everything, says "ready", then waits for "go", so both migrate together.
    code = (
        "import sys; from bot.db.migrate import migrate; "
        "print('ready', flush=True); sys.stdin.readline(); migrate(sys.argv[1])"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, empty_db_url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for proc in procs:
        assert proc.stdout.readline().strip() == "ready"
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    results = [(proc.wait(timeout=60), proc.stderr.read()) for proc in procs]
    assert [rc for rc, _ in results] == [0, 0], results
    engine = make_engine(empty_db_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
    engine.dispose()


def test_slack_sdks_oauth_tables_are_part_of_the_compared_schema() -> None:
    """slack_sdk's installation and state stores live on kolbot's database (revision 0003), so
    the comparison above covers their tables too."""
    assert {"slack_installations", "slack_bots", "slack_oauth_states"} <= set(Base.metadata.tables)


def test_0013_gives_stored_snapshots_their_name_key(empty_db_url: str) -> None:
    """Creators seen before the upgrade can be added by name too."""
    from datetime import UTC, datetime

    from alembic import command

    from bot.db.migrate import alembic_config
    from bot.models import Creator

    engine = make_engine(empty_db_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0012")
        connection.execute(
            text(
                "INSERT INTO creator_snapshots (star_id, live, creator_json, fetched_at) "
                "VALUES (:id, :live, :json, :at)"
            ),
            {
                "id": "7000000000000000001",
                "live": True,
                "json": Creator(star_id="7000000000000000001", nickname="小桃 Peach🍑").model_dump_json(),
                "at": datetime(2026, 1, 1, tzinfo=UTC),
            },
        )
    engine.dispose()
    migrate(empty_db_url)
    engine = make_engine(empty_db_url)
    with engine.connect() as connection:
        key = connection.scalar(text("SELECT name_key FROM creator_snapshots"))
    engine.dispose()
    assert key == "小桃peach"
