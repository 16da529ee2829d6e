"""SQL backend for the TikHub response cache (`bot.sources.cache.CacheBackend`), shared by processes.

Bodies are stored as zlib-compressed JSON: a 20-creator search page is about 94 KB of JSON and
16 KB compressed, and compressing it takes about a millisecond. Keeping only the fields kolbot
reads saved about 10 % more and would have to follow every parser, so the whole body is kept.
The table is bounded by `KOLBOT_CACHE_MAX_MB`: housekeeping deletes answers expired for longer
than `EXPIRED_KEPT` (`prune`), then the oldest ones above the cap (`evict_over`).
"""

from __future__ import annotations

import json
import threading
import zlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.batch import deferred
from bot.db.engine import read_session, transaction
from bot.db.results import rowcount
from bot.db.tables import HttpCacheRow
from bot.db.upsert import upsert_insert
from bot.sources.cache import Body, expiring_after

_LEVEL = 6  # zlib's default: level 9 saves 3 % more for twice the time
_DELETE_CHUNK = 500  # keys per DELETE (SQLite's bound-parameter limit is far above)
UNSTORED_KEPT = 100  # paid answers kept in memory while storage fails (a page is ~0.5 MB parsed)


def pack(body: Body) -> bytes:
    return zlib.compress(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(), _LEVEL)


def unpack(data: bytes) -> Body:
    return json.loads(zlib.decompress(data))


class SqlResponseCache:
    """On SQLite, a write inside a search's write batch (`bot.db.batch`) is stored when the search
    ends and served from memory until then, so this process's other searches find it at once (SQLite
    serves one process). When storing fails (the disk full, the database locked), the paid answer
    stays in memory until it expires, the last `UNSTORED_KEPT` of them, so the retry the user is
    asked for is not paid again. On PostgreSQL answers are stored at once: other processes wait on them."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._batched = sessions.kw["bind"].dialect.name == "sqlite"
        self._pending: dict[str, tuple[Body, datetime, datetime]] = {}  # key -> body, fetched, expires
        self._lock = threading.Lock()

    def get(self, key: str, *, expired_ok: bool = False) -> tuple[Body, datetime] | None:
        oldest = expiring_after(datetime.now(UTC), expired_ok=expired_ok)
        pending = self._pending.get(key)
        if pending is not None and pending[2] > oldest:
            return pending[0], pending[1]
        with read_session(self._sessions) as session:
            row = session.execute(
                select(HttpCacheRow.body, HttpCacheRow.fetched_at).where(
                    HttpCacheRow.key == key, HttpCacheRow.expires_at > oldest
                )
            ).first()
        return (unpack(row.body), row.fetched_at) if row else None

    def set(self, key: str, body: Body, fetched_at: datetime, ttl_s: float) -> None:
        """Store (or replace) the body; expired entries are deleted by `prune` (housekeeping)."""
        expires_at = fetched_at + timedelta(seconds=ttl_s)
        packed = pack(body)

        def work(session: Session) -> None:
            stmt = upsert_insert(session, HttpCacheRow).values(
                key=key, body=packed, fetched_at=fetched_at, expires_at=expires_at
            )
            session.execute(
                stmt.on_conflict_do_update(
                    index_elements=["key"],
                    set_={
                        "body": stmt.excluded.body,
                        "fetched_at": stmt.excluded.fetched_at,
                        "expires_at": stmt.excluded.expires_at,
                    },
                )
            )

        entry = (body, fetched_at, expires_at)
        if self._batched and deferred(
            self._sessions,
            work,
            what="a TikHub answer",
            after=lambda stored: self._settle(key, entry, stored),
        ):
            with self._lock:
                self._pending[key] = entry
            return
        with transaction(self._sessions) as session:
            work(session)

    def _settle(self, key: str, entry: tuple[Body, datetime, datetime], stored: bool) -> None:
        """Once the batch ended: a stored answer is served by the table; an unstored one stays."""
        with self._lock:  # other searches' threads change `_pending` meanwhile
            if self._pending.get(key) is not entry:  # replaced by a later answer, or trimmed
                return
            del self._pending[key]
            if stored:
                return
            self._pending[key] = entry  # the newest unstored answer goes last
            unstored = [k for k in self._pending if k != key]
            for oldest in unstored[: max(0, len(self._pending) - UNSTORED_KEPT)]:
                del self._pending[oldest]

    def prune(self, now: datetime) -> int:
        """Delete the entries expired more than `EXPIRED_KEPT` before `now` (until then *More
        results* may still reuse them); returns how many."""
        oldest = expiring_after(now, expired_ok=True)
        with transaction(self._sessions) as session:
            return rowcount(session.execute(delete(HttpCacheRow).where(HttpCacheRow.expires_at <= oldest)))

    def size_bytes(self) -> int:
        """Stored bytes of every body (keys and timestamps not counted)."""
        with read_session(self._sessions) as session:
            return int(
                session.scalar(select(func.coalesce(func.sum(func.length(HttpCacheRow.body)), 0))) or 0
            )

    def evict_over(self, max_bytes: int) -> int:
        """Delete the oldest entries until the bodies fit in `max_bytes`; returns how many."""
        with transaction(self._sessions) as session:
            rows = session.execute(
                select(HttpCacheRow.key, func.length(HttpCacheRow.body)).order_by(
                    HttpCacheRow.fetched_at.desc(), HttpCacheRow.key
                )
            ).all()
            kept, doomed = 0, []
            for key, size in rows:  # newest first: keep while they fit
                kept += size
                if kept > max_bytes:
                    doomed.append(key)
            for start in range(0, len(doomed), _DELETE_CHUNK):
                chunk = doomed[start : start + _DELETE_CHUNK]
                session.execute(delete(HttpCacheRow).where(HttpCacheRow.key.in_(chunk)))
            return len(doomed)
