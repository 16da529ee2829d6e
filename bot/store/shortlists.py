"""Shortlists in the database: rows, items, votes and the audit log (`ShortlistService` keeps the rules).

Every change runs in `ShortlistStore.locked`: one retried transaction that first locks the
shortlist row (PostgreSQL `FOR UPDATE`; SQLite takes the write lock at BEGIN), so concurrent
changes to one shortlist queue up instead of overwriting each other. Each change is audited;
setting a value to what it already is records nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from sqlalchemy import Table, bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from bot.db.batch import deferred
from bot.db.ids import short_id
from bot.db.retry import in_transaction
from bot.db.tables import (
    CreatorSnapshotRow,
    ShortlistEventRow,
    ShortlistItemRow,
    ShortlistRow,
    ShortlistVoteRow,
)
from bot.db.upsert import upsert_insert
from bot.identifiers import name_key, namesakes
from bot.models import Creator, Duration, Lang
from bot.shortlists import errors
from bot.shortlists.models import (
    AuditAction,
    AuditEvent,
    ItemStatus,
    Shortlist,
    ShortlistItem,
    ShortlistListing,
    ShortlistStatus,
)
from bot.shortlists.rows import to_event, to_item, to_shortlist
from bot.store.snapshots import Snapshot

T = TypeVar("T")
_LISTED_NAMES = 10  # the list's creators named in a "not on the list" hint


def _now() -> datetime:
    return datetime.now(UTC)


class ShortlistChange:
    """One locked shortlist inside a transaction (from `ShortlistStore.locked`; `ShortlistStore.item`
    reads one creator through it unlocked)."""

    def __init__(self, session: Session, row: ShortlistRow) -> None:
        self._session, self._row = session, row

    @property
    def shortlist(self) -> Shortlist:
        return to_shortlist(self._row)

    def update(self, values: dict[str, Any], user_id: str, action: AuditAction) -> Shortlist:
        _apply(self._session, self._row, values, user_id, action)
        return self.shortlist

    def set_parent(self, channel_id: str, ts: str) -> None:
        """Bookkeeping, not audited."""
        self._row.parent_channel_id, self._row.parent_ts = channel_id, ts

    def item(self, star_id: str) -> ShortlistItem:
        return self._item_view(self._item_row(star_id))

    def on_list(self, star_ids: Sequence[str]) -> set[str]:
        """Which of `star_ids` are on the shortlist."""
        return set(
            self._session.scalars(
                select(ShortlistItemRow.star_id).where(
                    ShortlistItemRow.shortlist_id == self._row.id, ShortlistItemRow.star_id.in_(star_ids)
                )
            )
        )

    def add_items(
        self, snaps: Sequence[Snapshot], user_id: str, *, request: str | None = None
    ) -> list[ShortlistItem]:
        """Insert the creators as proposed (a creator already there is left as it is). `request`:
        the key of the request adding them, kept (hashed) in the audit event (`added_by`)."""
        row = self._row
        new = [_new_item(row, snap, user_id) for snap in snaps]
        if new:
            stmt = upsert_insert(self._session, ShortlistItemRow).on_conflict_do_nothing(
                index_elements=["shortlist_id", "star_id"]
            )
            self._session.execute(stmt, new)
            events = [
                _event(row, user_id, AuditAction.ADD, i["star_id"], None, _added(i, request)) for i in new
            ]
            self._session.execute(insert(ShortlistEventRow), events)
        duration = Duration(row.duration)
        return [to_item(ShortlistItemRow(**i), {}, duration) for i in new]

    def added_by(self, star_ids: Iterable[str], request: str) -> set[str]:
        """Which of `star_ids` were last added by request `request` (the same request run again,
        as a queued job is after its worker died): their latest add event names it."""
        events = self._session.execute(
            select(ShortlistEventRow.star_id, ShortlistEventRow.after)
            .where(
                ShortlistEventRow.shortlist_id == self._row.id,
                ShortlistEventRow.action == AuditAction.ADD.value,
                ShortlistEventRow.star_id.in_(list(star_ids)),
            )
            .order_by(ShortlistEventRow.id)
        )
        latest = {star_id: (after or {}).get("request") for star_id, after in events}
        return {star_id for star_id, by in latest.items() if by == request_digest(request)}

    def remove_item(self, star_id: str, user_id: str) -> ShortlistItem:
        """Delete the creator (its votes go with it); returns it as it was."""
        item = self._item_row(star_id)
        removed = self._item_view(item)
        before = {"status": item.status, "note": item.note, "quoted_price_yuan": item.quoted_price_yuan}
        _audit(self._session, self._row, user_id, AuditAction.REMOVE, item.star_id, before=before)
        self._session.delete(item)
        return removed

    def update_item(
        self, star_id: str, values: dict[str, Any], user_id: str, action: AuditAction
    ) -> ShortlistItem:
        item = self._item_row(star_id)
        _apply(self._session, self._row, values, user_id, action, item)
        return self._item_view(item)

    def vote_of(self, star_id: str, user_id: str) -> int:
        """The user's vote on the creator (0: none)."""
        return (
            self._session.scalar(select(ShortlistVoteRow.value).where(*self._vote_key(star_id, user_id))) or 0
        )

    def set_vote(self, star_id: str, user_id: str, old: int, new: int) -> None:
        """Record the vote (0 removes it) and audit the change from `old`."""
        if new == 0:
            votes = cast(Table, ShortlistVoteRow.__table__)
            self._session.execute(votes.delete().where(*self._vote_key(star_id, user_id)))
        else:
            stmt = upsert_insert(self._session, ShortlistVoteRow).values(
                shortlist_id=self._row.id,
                star_id=star_id,
                user_id=user_id,
                team_id=self._row.team_id,
                value=new,
                voted_at=_now(),
            )
            self._session.execute(
                stmt.on_conflict_do_update(
                    index_elements=["shortlist_id", "star_id", "user_id"],
                    set_={"value": stmt.excluded.value, "voted_at": stmt.excluded.voted_at},
                )
            )
        _audit(self._session, self._row, user_id, AuditAction.VOTE, star_id, {"vote": old}, {"vote": new})

    def set_card_ts(self, star_id: str, ts: str, *, replacing: str | None) -> bool:
        """Set the creator's card message only if it is still `replacing` (bookkeeping, not audited)."""
        item = self._item_row(star_id)
        if item.card_ts != replacing:
            return False
        item.card_ts = ts
        return True

    def _item_row(self, ref: str) -> ShortlistItemRow:
        """The creator on the list by star id, else by nickname as typed (`name_key`)."""
        item = self._session.scalar(
            select(ShortlistItemRow).where(
                ShortlistItemRow.shortlist_id == self._row.id, ShortlistItemRow.star_id == ref.strip()
            )
        )
        return item if item is not None else self._named_item(ref)

    def _named_item(self, ref: str) -> ShortlistItemRow:
        rows = self._session.scalars(
            select(ShortlistItemRow).where(ShortlistItemRow.shortlist_id == self._row.id)
        ).all()
        named = {row.star_id: _nickname(row) for row in rows}
        key = name_key(ref)
        matches = [row for row in rows if key and name_key(named[row.star_id]) == key]
        if len(matches) > 1:
            raise namesakes(ref, [(named[r.star_id], r.star_id) for r in matches])
        if not matches:
            shown = self._seen_as(ref)
            raise errors.not_on_list(shown, self._row.name, list(named.values())[:_LISTED_NAMES])
        return matches[0]

    def _seen_as(self, ref: str) -> str:
        """A star id as the cards named it (`Nickname (id)`), for a creator no longer on the list."""
        found = self._session.scalars(
            select(CreatorSnapshotRow.creator_json).where(CreatorSnapshotRow.star_id == ref.strip())
        ).first()
        return f"{Creator.model_validate_json(found).nickname} ({ref.strip()})" if found else ref

    def _item_view(self, item: ShortlistItemRow) -> ShortlistItem:
        row = self._row
        votes = _votes(
            self._session, ShortlistVoteRow.shortlist_id == row.id, ShortlistVoteRow.star_id == item.star_id
        )
        return to_item(item, votes.get(item.star_id, {}), Duration(row.duration))

    def _vote_key(self, star_id: str, user_id: str) -> tuple[Any, ...]:
        return (
            ShortlistVoteRow.shortlist_id == self._row.id,
            ShortlistVoteRow.star_id == star_id,
            ShortlistVoteRow.user_id == user_id,
        )


class ShortlistStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    # -- writing ----------------------------------------------------------------------------
    def insert(
        self,
        team_id: str,
        channel_id: str,
        user_id: str,
        name: str,
        budget: float | None,
        duration: Duration,
        lang: Lang | None = None,
    ) -> Shortlist:
        """A new open shortlist with a fresh short id; its creation is audited."""

        def insert_row(session: Session) -> Shortlist:
            now = _now()
            row = ShortlistRow(
                short_id=short_id(),
                team_id=team_id,
                channel_id=channel_id,
                name=name,
                owner_id=user_id,
                status=ShortlistStatus.OPEN.value,
                budget_yuan=budget,
                duration=duration.value,
                created_at=now,
                updated_at=now,
                lang=lang,
            )
            session.add(row)
            session.flush()
            after = {"name": name, "budget_yuan": budget, "duration": duration.value}
            _audit(session, row, user_id, AuditAction.CREATE, after=after)
            return to_shortlist(row)

        return in_transaction(self._sessions, insert_row)

    def locked(self, team_id: str, shortlist_id: str, work: Callable[[ShortlistChange], T]) -> T:
        """Run `work` on the locked shortlist (its `updated_at` set to now) in a retried transaction."""

        def run(session: Session) -> T:
            row = _shortlist_row(session, team_id, shortlist_id, lock=True)
            row.updated_at = _now()
            return work(ShortlistChange(session, row))

        return in_transaction(self._sessions, run)

    def refresh_latest(self, creators: Sequence[Creator], *, live: bool, fetched_at: datetime) -> int:
        """Store newer data for every shortlisted item of these creators (same source, any
        workspace). Returns rows updated (0 inside a write batch, which runs it later)."""
        params = [
            {"b_star": c.star_id, "b_json": c.model_dump_json(), "b_at": fetched_at, "b_live": live}
            for c in creators
        ]
        if not params:
            return 0
        table = cast(Table, ShortlistItemRow.__table__)
        items = table.c
        stmt = (
            update(table)
            .where(
                items.star_id == bindparam("b_star"),
                items.live == bindparam("b_live"),
                items.snapshot_fetched_at < bindparam("b_at"),
                (items.latest_fetched_at.is_(None)) | (items.latest_fetched_at < bindparam("b_at")),
            )
            .values(latest_json=bindparam("b_json"), latest_fetched_at=bindparam("b_at"))
        )

        def work(session: Session) -> int:
            result: Any = session.connection().execute(stmt, params)
            return int(result.rowcount)

        if deferred(self._sessions, work, what="shortlisted creators' latest data"):
            return 0  # not known yet: the search's write batch runs it
        return in_transaction(self._sessions, work)

    @contextmanager
    def render_lock(self, team_id: str, shortlist_id: str) -> Iterator[None]:
        """On PostgreSQL an advisory lock per shortlist, held across processes; a no-op on SQLite
        (one process, whose renders `UpdateGate` already serialises)."""
        engine = self._sessions.kw["bind"]
        if engine.dialect.name != "postgresql":
            yield
            return
        key = f"kolbot-shortlist-render:{team_id}:{shortlist_id}"
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(hashtext(:key))"), {"key": key})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(hashtext(:key))"), {"key": key})
                conn.commit()

    # -- reading ----------------------------------------------------------------------------
    def get(self, team_id: str, shortlist_id: str) -> Shortlist:
        """By short id; refuses an unknown id and another workspace's shortlist."""
        with self._sessions() as session:
            return to_shortlist(_shortlist_row(session, team_id, shortlist_id))

    def find(self, team_id: str, short_id: str) -> Shortlist | None:
        """The workspace's shortlist with this exact short id, if any."""
        with self._sessions() as session:
            row = session.scalar(
                select(ShortlistRow).where(ShortlistRow.short_id == short_id, ShortlistRow.team_id == team_id)
            )
        return to_shortlist(row) if row is not None else None

    def in_channel(self, team_id: str, channel_id: str) -> list[Shortlist]:
        """The channel's shortlists, oldest first."""
        with self._sessions() as session:
            rows = session.scalars(
                select(ShortlistRow)
                .where(ShortlistRow.team_id == team_id, ShortlistRow.channel_id == channel_id)
                .order_by(ShortlistRow.created_at)
            ).all()
        return [to_shortlist(row) for row in rows]

    def listing(self, team_id: str, channel_id: str, *, include_closed: bool) -> list[ShortlistListing]:
        """The channel's shortlists, newest first, with their creator counts."""
        stmt = (
            select(ShortlistRow, func.count(ShortlistItemRow.id))
            .outerjoin(ShortlistItemRow, ShortlistItemRow.shortlist_id == ShortlistRow.id)
            .where(ShortlistRow.team_id == team_id, ShortlistRow.channel_id == channel_id)
            .group_by(ShortlistRow.id)
            .order_by(ShortlistRow.created_at.desc(), ShortlistRow.id.desc())
        )
        if not include_closed:
            stmt = stmt.where(ShortlistRow.status == ShortlistStatus.OPEN.value)
        with self._sessions() as session:
            return [
                ShortlistListing(shortlist=to_shortlist(row), creator_count=n)
                for row, n in session.execute(stmt)
            ]

    def item(self, team_id: str, shortlist_id: str, ref: str) -> ShortlistItem:
        """One creator on the shortlist, read without locking it (refused as `ShortlistChange.item`)."""
        with self._sessions() as session:
            return ShortlistChange(session, _shortlist_row(session, team_id, shortlist_id)).item(ref)

    def with_items(self, team_id: str, shortlist_id: str) -> tuple[Shortlist, list[ShortlistItem]]:
        """The shortlist and all its items with their votes (three queries at any size)."""
        with self._sessions() as session:
            row = _shortlist_row(session, team_id, shortlist_id)
            item_rows = session.scalars(
                select(ShortlistItemRow)
                .where(ShortlistItemRow.shortlist_id == row.id)
                .order_by(ShortlistItemRow.id)
            ).all()
            votes = _votes(session, ShortlistVoteRow.shortlist_id == row.id)
        duration = Duration(row.duration)
        return to_shortlist(row), [to_item(i, votes.get(i.star_id, {}), duration) for i in item_rows]

    def history(self, team_id: str, shortlist_id: str, *, limit: int) -> list[AuditEvent]:
        """The latest `limit` audit events, oldest first."""
        with self._sessions() as session:
            row = _shortlist_row(session, team_id, shortlist_id)
            events = session.scalars(
                select(ShortlistEventRow)
                .where(ShortlistEventRow.shortlist_id == row.id)
                .order_by(ShortlistEventRow.id.desc())
                .limit(limit)
            ).all()
            return [to_event(e) for e in reversed(events)]

    def find_card(self, team_id: str, channel_id: str, card_ts: str) -> tuple[str, str] | None:
        """(short_id, star_id) of the creator whose thread card is Slack message `card_ts`, if any."""
        with self._sessions() as session:
            found = session.execute(
                select(ShortlistRow.short_id, ShortlistItemRow.star_id)
                .join(ShortlistRow, ShortlistRow.id == ShortlistItemRow.shortlist_id)
                .where(
                    ShortlistItemRow.team_id == team_id,
                    ShortlistItemRow.card_ts == card_ts,
                    ShortlistRow.channel_id == channel_id,
                )
            ).first()
        return (found.short_id, found.star_id) if found else None


def _nickname(row: ShortlistItemRow) -> str:
    """The name the list's cards show (the latest data's, else the data when added)."""
    return json.loads(row.latest_json or row.snapshot_json).get("nickname") or row.star_id


def _shortlist_row(session: Session, team_id: str, shortlist_id: str, *, lock: bool = False) -> ShortlistRow:
    stmt = select(ShortlistRow).where(ShortlistRow.short_id == shortlist_id.strip().lower())
    row = session.scalar(stmt.with_for_update() if lock else stmt)
    if row is None:
        raise errors.unknown_id(shortlist_id)
    if row.team_id != team_id:
        raise errors.other_workspace()
    return row


def _votes(session: Session, *where: Any) -> dict[str, dict[str, int]]:
    """star_id -> {user_id: vote}."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    stmt = select(ShortlistVoteRow.star_id, ShortlistVoteRow.user_id, ShortlistVoteRow.value).where(*where)
    for star_id, user_id, value in session.execute(stmt):
        out[star_id][user_id] = value
    return out


def _apply(
    session: Session,
    row: ShortlistRow,
    values: dict[str, Any],
    user_id: str,
    action: AuditAction,
    item: ShortlistItemRow | None = None,
) -> None:
    """Set `values` on the item (or the shortlist) and audit the change; a no-op is not recorded."""
    target: Any = item if item is not None else row
    before = {k: getattr(target, k) for k in values}
    if before == values:
        return
    for key, value in values.items():
        setattr(target, key, value)
    _audit(session, row, user_id, action, item.star_id if item else None, before, values)


def _new_item(row: ShortlistRow, snap: Snapshot, user_id: str) -> dict[str, Any]:
    return {
        "shortlist_id": row.id,
        "team_id": row.team_id,
        "star_id": snap.creator.star_id,
        "live": snap.live,
        "snapshot_json": snap.creator.model_dump_json(),
        "snapshot_fetched_at": snap.fetched_at,
        "latest_json": None,
        "latest_fetched_at": None,
        "status": ItemStatus.PROPOSED.value,
        "note": None,
        "quoted_price_yuan": None,
        "rebate_pct": None,
        "card_ts": None,
        "added_by": user_id,
        "added_at": _now(),
    }


def _added(item: dict[str, Any], request: str | None = None) -> dict[str, Any]:
    added = {
        "status": item["status"],
        "live": item["live"],
        "data_time": item["snapshot_fetched_at"].isoformat(),
    }
    return added if request is None else {**added, "request": request_digest(request)}


def request_digest(request: str) -> str:
    """What an add event keeps of the request that made it: enough to know it again, nothing of
    Slack's ids."""
    return hashlib.sha256(request.encode()).hexdigest()[:16]


def _event(
    row: ShortlistRow,
    user_id: str,
    action: AuditAction,
    star_id: str | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> dict[str, Any]:
    return {
        "shortlist_id": row.id,
        "team_id": row.team_id,
        "channel_id": row.channel_id,
        "star_id": star_id,
        "actor_id": user_id,
        "action": action.value,
        "before": before,
        "after": after,
        "at": _now(),
    }


def _audit(
    session: Session,
    row: ShortlistRow,
    user_id: str,
    action: AuditAction,
    star_id: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    session.execute(insert(ShortlistEventRow), [_event(row, user_id, action, star_id, before, after)])
