from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from bot.db.engine import make_engine, normalize_url, transaction
from bot.db.tables import RequestClaim, ShortlistItemRow


@pytest.mark.parametrize(
    "url",
    [
        "postgres://u:p@db.example:5432/kol",
        "postgresql://u:p@db.example:5432/kol",
        "postgresql+psycopg://u:p@db.example:5432/kol",
    ],
)
def test_postgres_urls_use_psycopg3(url: str) -> None:
    normalized = normalize_url(url)
    assert normalized.drivername == "postgresql+psycopg"
    assert (normalized.host, normalized.port, normalized.database, normalized.password) == (
        "db.example",
        5432,
        "kol",
        "p",
    )


def test_sqlite_creates_parent_dir_and_sets_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "kolbot.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar_one() >= 5000
    engine.dispose()
    assert path.exists()


def test_transaction_commits_on_success_and_rolls_back_on_error(sessions) -> None:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    with transaction(sessions) as session:
        session.add(RequestClaim(key="kept", claimed_at=now))
    with pytest.raises(RuntimeError), transaction(sessions) as session:
        session.add(RequestClaim(key="dropped", claimed_at=now))
        session.flush()
        raise RuntimeError("boom")
    with sessions() as session:
        keys = session.scalars(select(RequestClaim.key)).all()
        assert keys == ["kept"]
        assert session.get(RequestClaim, "kept").claimed_at == now  # aware UTC round trip


def test_foreign_keys_are_enforced(sessions) -> None:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    item = ShortlistItemRow(
        shortlist_id=999,
        team_id="T1",
        star_id="s1",
        live=False,
        snapshot_json="{}",
        snapshot_fetched_at=now,
        status="proposed",
        added_by="U1",
        added_at=now,
    )
    with pytest.raises(IntegrityError), transaction(sessions) as session:
        session.add(item)


def test_sqlite_reads_do_not_wait_for_the_write_lock_but_writes_do(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import event
    from sqlalchemy.exc import OperationalError

    from bot.db.engine import read_session, session_factory
    from bot.db.migrate import migrate

    url = f"sqlite:///{tmp_path / 'kolbot.db'}"
    migrate(url)
    engine = make_engine(url)
    event.listen(engine, "connect", lambda conn, _record: conn.execute("PRAGMA busy_timeout=50"))
    sessions = session_factory(engine)
    with transaction(sessions) as session:
        session.add(RequestClaim(key="committed", claimed_at=datetime.now(UTC)))
    with sessions.begin() as writer:  # holds the write lock (BEGIN IMMEDIATE) until the end
        writer.add(RequestClaim(key="pending", claimed_at=datetime.now(UTC)))
        writer.flush()
        with read_session(sessions) as reader:
            assert reader.scalars(select(RequestClaim.key)).all() == ["committed"]
        with pytest.raises(OperationalError, match="locked"), sessions() as other:
            other.scalars(select(RequestClaim.key)).all()  # a plain session may write: it waits
    engine.dispose()
