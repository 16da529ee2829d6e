"""Shortlists: create, find, add creators, decide (votes, status, notes, quotes), audit and summarize.

No Slack calls and no SQL here: handlers render the results, `bot.store.shortlists` stores them.
Every change runs in one transaction on the locked shortlist (`ShortlistStore.locked`), so
concurrent changes to one shortlist queue up instead of overwriting each other. Totals are never
stored: `summary` recomputes them from the rows.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from bot.chinese import simplified
from bot.models import Creator, Duration, Lang
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
from bot.shortlists.summary import summarize
from bot.store.shortlists import ShortlistChange, ShortlistStore
from bot.store.snapshots import CreatorSnapshots, Snapshot
from bot.vocabulary import TERM_SEPARATORS

T = TypeVar("T")
_MAX_LISTED = 10
_LIST_SEPARATOR = re.compile(f"[{TERM_SEPARATORS}]")  # after NFKC: `，` and `；` too
_CLOSED = {ShortlistStatus.OPEN: "", ShortlistStatus.CLOSED: " :lock:"}  # in either language

Work = Callable[[ShortlistChange], T]


class ShortlistService:
    def __init__(self, sessions: sessionmaker[Session], snapshots: CreatorSnapshots) -> None:
        self._store = ShortlistStore(sessions)
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
        lang: Lang | None = None,
    ) -> Shortlist:
        """A new open shortlist; `budget_yuan` may be text such as `20万`; `lang`: the language it
        was asked for in, which its messages keep. A name an open shortlist of the channel already
        has is refused: every command by name would then have to ask which."""
        name, budget, length = (
            self.new_name(team_id, channel_id, name),
            parse_budget(budget_yuan),
            parse_duration(duration),
        )
        return self._store.insert(team_id, channel_id, user_id, name, budget, length, lang)

    def new_name(self, team_id: str, channel_id: str, name: str) -> str:
        """`name` as a new shortlist of the channel gets it (cleaned); refused when it is no name or
        an open shortlist of the channel has it."""
        name = clean_name(name)
        self._refuse_taken(team_id, channel_id, name)
        return name

    def _refuse_taken(self, team_id: str, channel_id: str, name: str, *, renamed: str | None = None) -> None:
        key = _name_key(name)
        for s in self._store.in_channel(team_id, channel_id):
            if s.status is ShortlistStatus.OPEN and s.short_id != renamed and _name_key(s.name) == key:
                raise errors.name_taken(s.name, s.short_id)

    def get(self, team_id: str, shortlist_id: str) -> Shortlist:
        """By short id (e.g. from a button value); refuses another workspace's shortlist."""
        return self._store.get(team_id, shortlist_id)

    def resolve(self, team_id: str, channel_id: str, name_or_id: str) -> Shortlist:
        """What a user typed: a short id, an exact name, or the start of a name (case-insensitive)."""
        ref = " ".join(name_or_id.split())  # as typed, for the reply; matched by `_name_key`
        shortlists = self._store.in_channel(team_id, channel_id)
        by_id = self._store.find(team_id, ref.lower())
        if by_id is not None:
            if by_id.channel_id != channel_id:
                raise errors.other_channel(by_id.channel_id)
            return by_id
        return _match_name(ref, shortlists)

    def rename(self, team_id: str, shortlist_id: str, user_id: str, name: str) -> Shortlist:
        name, shortlist = clean_name(name), self._store.get(team_id, shortlist_id)
        self._refuse_taken(team_id, shortlist.channel_id, name, renamed=shortlist_id)
        return self._change_shortlist(team_id, shortlist_id, user_id, AuditAction.RENAME, {"name": name})

    def close(self, team_id: str, shortlist_id: str, user_id: str) -> Shortlist:
        values = {"status": ShortlistStatus.CLOSED.value}
        return self._change_shortlist(
            team_id, shortlist_id, user_id, AuditAction.CLOSE, values, allow_closed=True
        )

    def reopen(self, team_id: str, shortlist_id: str, user_id: str) -> Shortlist:
        shortlist = self._store.get(team_id, shortlist_id)
        self._refuse_taken(team_id, shortlist.channel_id, shortlist.name, renamed=shortlist_id)
        values = {"status": ShortlistStatus.OPEN.value}
        return self._change_shortlist(
            team_id, shortlist_id, user_id, AuditAction.REOPEN, values, allow_closed=True
        )

    def set_parent_ts(self, team_id: str, shortlist_id: str, channel_id: str, ts: str) -> None:
        """Remember the Slack message that shows the summary (bookkeeping, not audited)."""
        self._mutate(
            team_id, shortlist_id, lambda change: change.set_parent(channel_id, ts), allow_closed=True
        )

    # -- creators on a shortlist ------------------------------------------------------------
    def add(
        self,
        team_id: str,
        shortlist_id: str,
        user_id: str,
        star_ids: Iterable[str],
        *,
        known: Sequence[Snapshot] = (),
        request: str | None = None,
    ) -> AddResult:
        """Add creators by star_id (idempotent). Their data comes from `known` or the snapshot store.

        `request`: the key of the request adding them. The same request run again (a queued job
        whose worker died after storing some of them) counts the creators it added before as
        added, not as "already on the list", which is only for an earlier, other request's."""
        refs = list(dict.fromkeys(part for ref in star_ids for part in self._listed(ref.strip()) if part))
        if not refs:
            raise errors.no_creators()
        snaps = {s.creator.star_id: s for s in known if s.creator.star_id in refs}
        snaps |= self._snapshots.get_many(s for s in refs if s not in snaps)
        by_name = {ref: self._snapshots.one_named(ref) for ref in refs if ref not in snaps}
        snaps |= {snap.creator.star_id: snap for snap in by_name.values() if snap is not None}
        wanted = list(dict.fromkeys(_star_id(by_name.get(ref), ref) for ref in refs))
        unknown = [ref for ref, snap in by_name.items() if snap is None]
        if len(unknown) > 1 and self._snapshots.named(joined := " ".join(unknown)):
            raise errors.quote_the_name(joined)  # `Lily 🌸 Beauty` typed without quotes

        def work(change: ShortlistChange) -> AddResult:
            if unknown:
                raise errors.creators_not_found(unknown)
            existing = change.on_list(wanted)
            ours = change.added_by(existing, request) if request and existing else set()
            new = change.add_items([snaps[s] for s in wanted if s not in existing], user_id, request=request)
            added = {i.star_id: i for i in new} | {s: change.item(s) for s in ours}
            return AddResult(
                shortlist=change.shortlist,
                added=[added[s] for s in wanted if s in added],
                already=[change.item(s) for s in wanted if s in existing and s not in ours],
            )

        return self._mutate(team_id, shortlist_id, work)

    def _listed(self, ref: str) -> list[str]:
        """`ref`'s creators: `是橙子酱,叫我大宝呀🌙` (also `，` `、` `;`) names two, unless one creator
        goes by that whole name."""
        typed = unicodedata.normalize("NFKC", ref)
        if not _LIST_SEPARATOR.search(typed) or self._snapshots.named(ref):
            return [ref]
        return [part.strip() for part in _LIST_SEPARATOR.split(typed)]  # `s1,` too: empties are dropped

    def remove(self, team_id: str, shortlist_id: str, user_id: str, star_id: str) -> ShortlistItem:
        """Take a creator (and its votes) off the shortlist; returns it as it was."""
        return self._mutate(team_id, shortlist_id, lambda change: change.remove_item(star_id, user_id))

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

        def work(change: ShortlistChange) -> ShortlistItem | None:
            change.item(star_id)  # on the shortlist, or refused
            old = change.vote_of(star_id, user_id)
            new = gesture.resolve(old, value)
            if new is None:
                return None
            if new != old:
                change.set_vote(star_id, user_id, old, new)
            return change.item(star_id)

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

        def work(change: ShortlistChange) -> ShortlistItem:
            change.update_item(star_id, quote, user_id, AuditAction.QUOTE)
            return change.update_item(star_id, noted, user_id, AuditAction.NOTE)

        return self._mutate(team_id, shortlist_id, work)

    def set_item_ts(
        self, team_id: str, shortlist_id: str, star_id: str, ts: str, *, replacing: str | None = None
    ) -> bool:
        """Remember the creator's card message in the shortlist thread (bookkeeping, not audited),
        only if its card is still `replacing` (None: it had none): a card is set once, so two
        renders never both keep a card for one creator. False when another card was set first."""
        return self._mutate(
            team_id,
            shortlist_id,
            lambda change: change.set_card_ts(star_id, ts, replacing=replacing),
            allow_closed=True,
        )

    def render_lock(self, team_id: str, shortlist_id: str) -> AbstractContextManager[None]:
        """Held while a shortlist's Slack messages are rendered, so renders of one shortlist run one
        at a time across processes and each reads what the last one wrote (an older summary never
        overwrites a newer one)."""
        return self._store.render_lock(team_id, shortlist_id)

    def refresh_latest(self, creators: Sequence[Creator], *, live: bool, fetched_at: datetime) -> int:
        """Record newer data for shortlisted creators seen in a search (same source, any workspace:
        creator data is public); called by the search's `on_seen`. Returns rows updated (0 inside a
        write batch, which runs it later)."""
        return self._store.refresh_latest(creators, live=live, fetched_at=fetched_at)

    # -- reading ----------------------------------------------------------------------------
    def summary(self, team_id: str, shortlist_id: str) -> ShortlistSummary:
        """Totals and every item, recomputed from the database."""
        shortlist, items = self._store.with_items(team_id, shortlist_id)
        return summarize(shortlist, items)

    def item(self, team_id: str, shortlist_id: str, ref: str) -> ShortlistItem:
        """The creator on the shortlist by star id or card name; refused, naming them, when not on it."""
        return self._store.item(team_id, shortlist_id, ref)

    def history(self, team_id: str, shortlist_id: str, *, limit: int = 100) -> list[AuditEvent]:
        """The latest `limit` audit events, oldest first."""
        return self._store.history(team_id, shortlist_id, limit=limit)

    def find_card(self, team_id: str, channel_id: str, card_ts: str) -> tuple[str, str] | None:
        """(short_id, star_id) of the creator whose thread card is Slack message `card_ts`, if any."""
        return self._store.find_card(team_id, channel_id, card_ts)

    # -- internals --------------------------------------------------------------------------
    def _mutate(self, team_id: str, shortlist_id: str, work: Work[T], *, allow_closed: bool = False) -> T:
        """Run `work` on the locked shortlist; a closed one refuses changes unless `allow_closed`."""

        def run(change: ShortlistChange) -> T:
            shortlist = change.shortlist
            if shortlist.status == ShortlistStatus.CLOSED and not allow_closed:
                raise errors.closed(shortlist.name)
            return work(change)

        return self._store.locked(team_id, shortlist_id, run)

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
        return self._mutate(
            team_id,
            shortlist_id,
            lambda change: change.update(values, user_id, action),
            allow_closed=allow_closed,
        )

    def _change_item(
        self,
        team_id: str,
        shortlist_id: str,
        user_id: str,
        star_id: str,
        action: AuditAction,
        values: dict[str, Any],
    ) -> ShortlistItem:
        return self._mutate(
            team_id, shortlist_id, lambda change: change.update_item(star_id, values, user_id, action)
        )

    # Last in the class, so that `list` in the annotations above still means the builtin.
    def list(
        self, team_id: str, channel_id: str, *, include_closed: bool = True
    ) -> Sequence[ShortlistListing]:
        """The channel's shortlists, newest first, with their creator counts."""
        return self._store.listing(team_id, channel_id, include_closed=include_closed)

    def open_named(self, team_id: str, channel_id: str, name: str) -> Shortlist | None:
        """The channel's open shortlist with exactly this name (spaces, case and script aside:
        雙11 is 双11), if any."""
        key = _name_key(simplified(name))
        return next(
            (
                s
                for s in self._store.in_channel(team_id, channel_id)
                if s.status is ShortlistStatus.OPEN and _name_key(simplified(s.name)) == key
            ),
            None,
        )


def _star_id(snap: Snapshot | None, ref: str) -> str:
    return snap.creator.star_id if snap is not None else ref


def _name_key(name: str) -> str:
    """A shortlist name as names are compared: spaces and case aside."""
    return " ".join(name.split()).casefold()


def _match_name(ref: str, shortlists: Sequence[Shortlist]) -> Shortlist:
    key = _name_key(ref)
    for matches in (
        [s for s in shortlists if _name_key(s.name) == key],
        [s for s in shortlists if _name_key(s.name).startswith(key)] if key else [],
    ):
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise errors.ambiguous(
                ref, [f"{s.name} ({s.short_id}{_CLOSED[s.status]})" for s in matches[:_MAX_LISTED]]
            )
    raise errors.not_found(ref, [f"{s.name} ({s.short_id})" for s in shortlists[-_MAX_LISTED:]])
