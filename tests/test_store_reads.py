"""The stores' pure reads run in read-only transactions: on SQLite they answer while another
connection holds the write lock, instead of queueing behind it (`bot.db.engine.read_session`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from bot.db.engine import make_engine, session_factory
from bot.db.migrate import migrate
from bot.db.tables import RequestClaim
from bot.models import Creator
from bot.store.digests import DigestStore
from bot.store.http_cache import SqlResponseCache
from bot.store.searches import SearchRefs
from bot.store.snapshots import CreatorSnapshots

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """SQLite with a short busy timeout, so a read that waited for the write lock fails fast."""
    url = f"sqlite:///{tmp_path / 'kolbot.db'}"
    migrate(url)
    engine = make_engine(url)
    event.listen(engine, "connect", lambda conn, _record: conn.execute("PRAGMA busy_timeout=50"))
    yield session_factory(engine)
    engine.dispose()


def test_reads_answer_while_a_writer_holds_the_lock(
    sessions: sessionmaker[Session], make_creator: Callable[..., Creator]
) -> None:
    cache, refs, snapshots = SqlResponseCache(sessions), SearchRefs(sessions), CreatorSnapshots(sessions)
    cache.set("page-1", {"data": {"authors": []}}, datetime.now(UTC), ttl_s=3600)
    ref = refs.save("T1", "C1", "U1", "skincare", "en")
    snapshots.save_many([make_creator("s1")], live=False, fetched_at=NOW)
    digests = DigestStore(sessions)

    with sessions.begin() as writer:  # BEGIN IMMEDIATE: holds the write lock until the end
        writer.add(RequestClaim(key="busy", claimed_at=NOW))
        writer.flush()
        assert cache.get("page-1") is not None
        saved = refs.get(ref, "T1")
        assert saved is not None and saved.raw_query == "skincare"
        assert snapshots.get("s1") is not None
        assert digests.in_channel("T1", "C1") == [] and digests.timezone("T1") is None
        assert digests.active() == [] and digests.latest_runs([1]) == {}
