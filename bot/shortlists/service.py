"""Shortlists: create, find, add creators, decide (votes, status, notes, quotes), audit and summarize.

No Slack calls here: handlers render the results. Every mutation runs in one transaction that
first locks the shortlist row (PostgreSQL `FOR UPDATE`; SQLite takes the write lock at BEGIN), so
concurrent changes to one shortlist queue up instead of overwriting each other, and lost races on
unique keys are retried. Totals are never stored: `summary` recomputes them from the rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from bot.db.batch import deferred
from bot.db.ids import short_id
from bot.db.retry import in_transaction
from bot.db.tables import ShortlistEventRow, ShortlistItemRow, ShortlistRow, ShortlistVoteRow
from bot.db.upsert import upsert_insert
from bot.models import Creator, Duration
from bot.shortlists import errors
from bot.shortlists.inputs import (
    clean_name,
    clean_note,
    parse_budget,
    parse_duration,
    parse_price,
    parse_rebate,
    parse_status,
    parse_vote,
)
from bot.shortlists.models import (
    AddResult,
    AuditAction,
    AuditEvent,
    ItemStatus,
    Shortlist,
    ShortlistItem,
    ShortlistListing,
    ShortlistStatus,
    ShortlistSummary,
    VoteGesture,
)
from bot.shortlists.rows import to_event, to_item, to_shortlist
from bot.shortlists.summary import summarize
from bot.store.snapshots import CreatorSnapshots, Snapshot

T = TypeVar("T")
_MAX_LISTED = 10

Work = Callable[[Session, ShortlistRow], T]


def _now() -> datetime:
    return datetime.now(UTC)


class ShortlistService:
    def __init__(self, sessions: sessionmaker[Session], snapshots: CreatorSnapshots) -> None:
        self._sessions = sessions
        self._snapshots = snapshots

    # -- shortlists ----------------------------------------------------------------------
    def create(
        self,
        team_id: str,
        channel_id: str,
        user_id: str,
        name: str,
        budget_yuan: float | str | None = None,
        duration: Duration | str = Duration.MEDIUM,
    ) -> Shortlist:
        """A new open shortlist; `budget_yuan` may be text such as `20万`."""
        name, budget, length = clean_name(name), parse_budget(budget_yuan), parse_duration(duration)

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
                duration=length.value,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            after = {"name": name, "budget_yuan": budget, "duration": length.value}
            _audit(session, row, user_id, AuditAction.CREATE, after=after)
            return to_shortlist(row)

        return in_transaction(self._sessions, insert_row)

    def get(self, team_id: str, shortlist_id: str) -> Shortlist:
        """By short id (e.g. from a button value); refuses another workspace's shortlist."""
        with self._sessions() as session:
            return to_shortlist(_shortlist_row(session, team_id, shortlist_id))

    def resolve(self, team_id: str, channel_id: str, name_or_id: str) -> Shortlist:
        """What a user typed: a short id, an exact name, or the start of a name (case-insensitive)."""
        ref = " ".join(name_or_id.split())
        with self._sessions() as session:
            rows = session.scalars(
                select(ShortlistRow)
                .where(ShortlistRow.team_id == team_id, ShortlistRow.channel_id == channel_id)
                .order_by(ShortlistRow.created_at)
            ).all()
            by_id = session.scalar(
                select(ShortlistRow).where(
                    ShortlistRow.short_id == ref.lower(), ShortlistRow.team_id == team_id
                )
            )
        if by_id is not None:
            if by_id.channel_id != channel_id:
                raise errors.other_channel(by_id.channel_id)
            return to_shortlist(by_id)
        return to_shortlist(_match_name(ref, rows))

    def rename(self, team_id: str, shortlist_id: str, user_id: str, name: str) -> Shortlist:
        return self._change_shortlist(
            team_id, shortlist_id, user_id, AuditAction.RENAME, {"name": clean_name(name)}
        )

    def close(self, team_id: str, shortlist_id: str, user_id: str) -> Shortlist:
        values = {"status": ShortlistStatus.CLOSED.value}
        return self._change_shortlist(
            team_id, shortlist_id, user_id, AuditAction.CLOSE, values, allow_closed=True
        )

    def reopen(self, team_id: str, shortlist_id: str, user_id: str) -> Shortlist:
        values = {"status": ShortlistStatus.OPEN.value}
        return self._change_shortlist(
            team_id, shortlist_id, user_id, AuditAction.REOPEN, values, allow_closed=True
        )

    def set_parent_ts(self, team_id: str, shortlist_id: str, channel_id: str, ts: str) -> None:
        """Remember the Slack message that shows the summary (bookkeeping, not audited)."""

        def work(_session: Session, row: ShortlistRow) -> None:
            row.parent_channel_id, row.parent_ts = channel_id, ts

        self._mutate(team_id, shortlist_id, work, allow_closed=True)

    # -- creators on a shortlist ------------------------------------------------------------
    def add(
        self,
        team_id: str,
        shortlist_id: str,
        user_id: str,
        star_ids: Iterable[str],
        *,
        known: Sequence[Snapshot] = (),
    ) -> AddResult:
        """Add creators by star_id (idempotent). Their data comes from `known` or the snapshot store."""
        wanted = list(dict.fromkeys(s.strip() for s in star_ids if s.strip()))
        if not wanted:
            raise errors.no_creators()
        snaps = {s.creator.star_id: s for s in known if s.creator.star_id in wanted}
        snaps |= self._snapshots.get_many(s for s in wanted if s not in snaps)
        unknown = [s for s in wanted if s not in snaps]

        def work(session: Session, row: ShortlistRow) -> AddResult:
            if unknown:
                raise errors.creators_not_found(unknown)
            existing = set(
                session.scalars(
                    select(ShortlistItemRow.star_id).where(
                        ShortlistItemRow.shortlist_id == row.id, ShortlistItemRow.star_id.in_(wanted)
                    )
                )
            )
            new = [_new_item(row, snaps[s], user_id) for s in wanted if s not in existing]
            if new:
                stmt = upsert_insert(session, ShortlistItemRow).on_conflict_do_nothing(
                    index_elements=["shortlist_id", "star_id"]
                )
                session.execute(stmt, new)
                events = [_event(row, user_id, AuditAction.ADD, i["star_id"], None, _added(i)) for i in new]
                session.execute(insert(ShortlistEventRow), events)
            duration = Duration(row.duration)
            return AddResult(
                shortlist=to_shortlist(row),
                added=[to_item(ShortlistItemRow(**i), {}, duration) for i in new],
                already=[s for s in wanted if s in existing],
            )

        return self._mutate(team_id, shortlist_id, work)

    def remove(self, team_id: str, shortlist_id: str, user_id: str, star_id: str) -> ShortlistItem:
        """Take a creator (and its votes) off the shortlist; returns it as it was."""

        def work(session: Session, row: ShortlistRow) -> ShortlistItem:
            item = _item_row(session, row, star_id)
            removed = _item_view(session, row, item)
            before = {"status": item.status, "note": item.note, "quoted_price_yuan": item.quoted_price_yuan}
            _audit(session, row, user_id, AuditAction.REMOVE, star_id, before=before)
            session.delete(item)
            return removed

        return self._mutate(team_id, shortlist_id, work)

    def vote(
        self,
        team_id: str,
        shortlist_id: str,
        user_id: str,
        star_id: str,
        value: int,
        gesture: VoteGesture = VoteGesture.SET,
    ) -> ShortlistItem | None:
        """Apply a 👍 (+1) / 👎 (-1) / take-back (0) gesture to the user's vote on the creator.

        The current vote is read and changed in one transaction, so two gestures can never both
        decide from the same old vote. Returns the item, or None when the gesture changed nothing
        (the caller then has nothing to re-render).
        """
        value = parse_vote(value)

        def work(session: Session, row: ShortlistRow) -> ShortlistItem | None:
            item = _item_row(session, row, star_id)
            key = (ShortlistVoteRow.shortlist_id == row.id, ShortlistVoteRow.star_id == star_id)
            mine = (*key, ShortlistVoteRow.user_id == user_id)
            old = session.scalar(select(ShortlistVoteRow.value).where(*mine)) or 0
            new = gesture.resolve(old, value)
            if new is None:
                return None
            if new != old:
                if new == 0:
                    session.execute(ShortlistVoteRow.__table__.delete().where(*mine))
                else:
                    _upsert_vote(session, row, star_id, user_id, new)
                _audit(session, row, user_id, AuditAction.VOTE, star_id, {"vote": old}, {"vote": new})
            return _item_view(session, row, item)

        return self._mutate(team_id, shortlist_id, work)

    def set_status(
        self, team_id: str, shortlist_id: str, user_id: str, star_id: str, status: ItemStatus | str
    ) -> ShortlistItem:
        values = {"status": parse_status(status).value}
        return self._change_item(team_id, shortlist_id, user_id, star_id, AuditAction.STATUS, values)

    def set_note(
        self, team_id: str, shortlist_id: str, user_id: str, star_id: str, note: str | None
    ) -> ShortlistItem:
        """Replace the note; an empty note clears it."""
        values = {"note": clean_note(note)}
        return self._change_item(team_id, shortlist_id, user_id, star_id, AuditAction.NOTE, values)

    def set_quote(
        self,
        team_id: str,
        shortlist_id: str,
        user_id: str,
        star_id: str,
        price_yuan: float | str | None,
        rebate_pct: float | str | None = None,
    ) -> ShortlistItem:
        """The creator's quoted price (yuan, >= 0) and rebate (返点, 0-100 %); None clears."""
        values = {"quoted_price_yuan": parse_price(price_yuan), "rebate_pct": parse_rebate(rebate_pct)}
        return self._change_item(team_id, shortlist_id, user_id, star_id, AuditAction.QUOTE, values)

    def set_quote_and_note(
        self,
        team_id: str,
        shortlist_id: str,
        user_id: str,
        star_id: str,
        price_yuan: float | str | None,
        rebate_pct: float | str | None,
        note: str | None,
    ) -> ShortlistItem:
        """`set_quote` and `set_note` in one transaction: the edit form saves both or neither."""
        quote = {"quoted_price_yuan": parse_price(price_yuan), "rebate_pct": parse_rebate(rebate_pct)}
        noted = {"note": clean_note(note)}

        def work(session: Session, row: ShortlistRow) -> ShortlistItem:
            item = _item_row(session, row, star_id)
            _apply(session, row, quote, user_id, AuditAction.QUOTE, item)
            _apply(session, row, noted, user_id, AuditAction.NOTE, item)
            return _item_view(session, row, item)

        return self._mutate(team_id, shortlist_id, work)

    def set_item_ts(
        self, team_id: str, shortlist_id: str, star_id: str, ts: str, *, replacing: str | None = None
    ) -> bool:
        """Remember the creator's card message in the shortlist thread (bookkeeping, not audited),
        only if its card is still `replacing` (None: it had none): a card is set once, so two
        renders never both keep a card for one creator. False when another card was set first."""

        def work(session: Session, row: ShortlistRow) -> bool:
            item = _item_row(session, row, star_id)
            if item.card_ts != replacing:
                return False
            item.card_ts = ts
            return True

        return self._mutate(team_id, shortlist_id, work, allow_closed=True)

    @contextmanager
    def render_lock(self, team_id: str, shortlist_id: str) -> Iterator[None]:
        """Held while a shortlist's Slack messages are rendered: on PostgreSQL an advisory lock, so
        renders of one shortlist run one at a time across processes and each reads what the last
        one wrote (an older summary never overwrites a newer one). SQLite serves one process, whose
        renders `UpdateGate` already serialises."""
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

    def refresh_latest(self, creators: Sequence[Creator], *, live: bool, fetched_at: datetime) -> int:
        """Record newer data for shortlisted creators seen in a search (same source, any workspace:
        creator data is public); called by the search's `on_seen`. Returns rows updated (0 inside a
        write batch, which runs it later)."""
        params = [
            {"b_star": c.star_id, "b_json": c.model_dump_json(), "b_at": fetched_at, "b_live": live}
            for c in creators
        ]
        if not params:
            return 0
        items = ShortlistItemRow.__table__.c
        stmt = (
            update(ShortlistItemRow.__table__)
            .where(
                items.star_id == bindparam("b_star"),
                items.live == bindparam("b_live"),
                items.snapshot_fetched_at < bindparam("b_at"),
                (items.latest_fetched_at.is_(None)) | (items.latest_fetched_at < bindparam("b_at")),
            )
            .values(latest_json=bindparam("b_json"), latest_fetched_at=bindparam("b_at"))
        )

        def work(session: Session) -> int:
            return session.connection().execute(stmt, params).rowcount

        if deferred(self._sessions, work, what="shortlisted creators' latest data"):
            return 0  # not known yet: the search's write batch runs it
        return in_transaction(self._sessions, work)

    # -- reading ----------------------------------------------------------------------------
    def summary(self, team_id: str, shortlist_id: str) -> ShortlistSummary:
        """Totals and every item, recomputed from the database (three queries at any size)."""
        with self._sessions() as session:
            row = _shortlist_row(session, team_id, shortlist_id)
            item_rows = session.scalars(
                select(ShortlistItemRow)
                .where(ShortlistItemRow.shortlist_id == row.id)
                .order_by(ShortlistItemRow.id)
            ).all()
            votes = _votes(session, ShortlistVoteRow.shortlist_id == row.id)
        duration = Duration(row.duration)
        items = [to_item(i, votes.get(i.star_id, {}), duration) for i in item_rows]
        return summarize(to_shortlist(row), items)

    def history(self, team_id: str, shortlist_id: str, *, limit: int = 100) -> list[AuditEvent]:
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

    # -- internals --------------------------------------------------------------------------
    def _mutate(self, team_id: str, shortlist_id: str, work: Work[T], *, allow_closed: bool = False) -> T:
        """Run `work` on the locked shortlist row in a retried transaction."""

        def run(session: Session) -> T:
            row = _shortlist_row(session, team_id, shortlist_id, lock=True)
            if row.status == ShortlistStatus.CLOSED.value and not allow_closed:
                raise errors.closed(row.name)
            row.updated_at = _now()
            return work(session, row)

        return in_transaction(self._sessions, run)

    def _change_shortlist(
        self,
        team_id: str,
        shortlist_id: str,
        user_id: str,
        action: AuditAction,
        values: dict[str, Any],
        *,
        allow_closed: bool = False,
    ) -> Shortlist:
        def work(session: Session, row: ShortlistRow) -> Shortlist:
            _apply(session, row, values, user_id, action)
            return to_shortlist(row)

        return self._mutate(team_id, shortlist_id, work, allow_closed=allow_closed)

    def _change_item(
        self,
        team_id: str,
        shortlist_id: str,
        user_id: str,
        star_id: str,
        action: AuditAction,
        values: dict[str, Any],
    ) -> ShortlistItem:
        def work(session: Session, row: ShortlistRow) -> ShortlistItem:
            item = _item_row(session, row, star_id)
            _apply(session, row, values, user_id, action, item)
            return _item_view(session, row, item)

        return self._mutate(team_id, shortlist_id, work)

    # Last in the class, so that `list` in the annotations above still means the builtin.
    def list(
        self, team_id: str, channel_id: str, *, include_closed: bool = True
    ) -> Sequence[ShortlistListing]:
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


def _shortlist_row(session: Session, team_id: str, shortlist_id: str, *, lock: bool = False) -> ShortlistRow:
    stmt = select(ShortlistRow).where(ShortlistRow.short_id == shortlist_id.strip().lower())
    row = session.scalar(stmt.with_for_update() if lock else stmt)
    if row is None:
        raise errors.unknown_id(shortlist_id)
    if row.team_id != team_id:
        raise errors.other_workspace()
    return row


def _match_name(ref: str, rows: Sequence[ShortlistRow]) -> ShortlistRow:
    key = ref.casefold()
    for matches in (
        [r for r in rows if r.name.casefold() == key],
        [r for r in rows if r.name.casefold().startswith(key)] if key else [],
    ):
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise errors.ambiguous(
                ref, [f"{r.name} ({r.short_id}, {r.status})" for r in matches[:_MAX_LISTED]]
            )
    raise errors.not_found(ref, [f"{r.name} ({r.short_id})" for r in rows[-_MAX_LISTED:]])


def _item_row(session: Session, row: ShortlistRow, star_id: str) -> ShortlistItemRow:
    item = session.scalar(
        select(ShortlistItemRow).where(
            ShortlistItemRow.shortlist_id == row.id, ShortlistItemRow.star_id == star_id.strip()
        )
    )
    if item is None:
        raise errors.not_on_list(star_id, row.name)
    return item


def _votes(session: Session, *where: Any) -> dict[str, dict[str, int]]:
    """star_id -> {user_id: vote}."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    stmt = select(ShortlistVoteRow.star_id, ShortlistVoteRow.user_id, ShortlistVoteRow.value).where(*where)
    for star_id, user_id, value in session.execute(stmt):
        out[star_id][user_id] = value
    return out


def _item_view(session: Session, row: ShortlistRow, item: ShortlistItemRow) -> ShortlistItem:
    votes = _votes(session, ShortlistVoteRow.shortlist_id == row.id, ShortlistVoteRow.star_id == item.star_id)
    return to_item(item, votes.get(item.star_id, {}), Duration(row.duration))


def _upsert_vote(session: Session, row: ShortlistRow, star_id: str, user_id: str, value: int) -> None:
    stmt = upsert_insert(session, ShortlistVoteRow).values(
        shortlist_id=row.id,
        star_id=star_id,
        user_id=user_id,
        team_id=row.team_id,
        value=value,
        voted_at=_now(),
    )
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["shortlist_id", "star_id", "user_id"],
            set_={"value": stmt.excluded.value, "voted_at": stmt.excluded.voted_at},
        )
    )


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


def _added(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "status": item["status"],
        "live": item["live"],
        "data_time": item["snapshot_fetched_at"].isoformat(),
    }


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
