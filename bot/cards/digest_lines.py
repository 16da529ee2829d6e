"""The words of a digest: one line per change, section titles, the summary line and the notes.

`bot.digests` returns the changes as data (`DigestDiff`, the change kinds, `ShortlistChange`); this
is where they are worded in the reader's language, numbers formatted as the cards format them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.digests.changes import (
    BecameUnpriced,
    Change,
    Dropped,
    DropReason,
    FollowerChange,
    NewMatch,
    PriceChange,
    RankMove,
)
from bot.digests.diff import DigestDiff
from bot.digests.recheck import FilterMiss
from bot.digests.shortlist_watch import ShortlistChange
from bot.digests.snapshot import SnapshotEntry
from bot.formatting import count, duration_label, growth, yuan
from bot.formatting import score as fmt_score
from bot.grammar import active_filters
from bot.i18n import N_, ptr, tr
from bot.models import Duration, Lang, Query

MAX_LINES = 10  # per section; the rest is counted

SECTION_TITLES = {
    "new": N_("New matches"),
    "dropped": N_("No longer matching"),
    "price_changes": N_("Price changes"),
    "unpriced": N_("No longer priced"),
    "follower_changes": N_("Follower jumps and drops"),
    "movers": N_("Rank movers"),
}


@dataclass(frozen=True)
class DigestSection:
    title: str
    lines: list[str]
    more: int = 0  # lines left out
    creators: list[tuple[str, str]] = field(default_factory=list)  # (star id, nickname) of each line


def summary(diff: DigestDiff, lang: Lang) -> str:
    """One line, also the notification text: "New matches: 2 · Price changes: 1"."""
    if diff.first_run:
        return tr(lang, "First digest: the current top %(top)s", top=len(diff.snapshot.top))
    if diff.is_empty:
        return tr(lang, "Nothing changed since the last digest")
    return " · ".join(
        f"{tr(lang, SECTION_TITLES[section])}{tr(lang, ': ')}{len(changes)}"
        for section, changes in diff.groups()
    )


def sections(
    diff: DigestDiff, lang: Lang, query: Query | None = None, *, max_lines: int = MAX_LINES
) -> list[DigestSection]:
    """Titled groups of lines, empty groups left out; the first run lists the top N.

    `query` is the digest's search: a creator that no longer matches is said to fail its filters
    as the user wrote them.
    """
    if diff.first_run:
        top = diff.snapshot.top
        lines = [_entry_line(e, diff.snapshot.duration, lang) for e in top]
        creators = [(e.star_id, e.nickname) for e in top]
        return [_section(tr(lang, "Current top %(len)s", len=len(top)), lines, creators, max_lines)]
    return [
        _section(
            tr(lang, SECTION_TITLES[section]),
            [change_line(c, lang, query) for c in changes],
            [(c.star_id, c.nickname) for c in changes],
            max_lines,
        )
        for section, changes in diff.groups()
    ]


def notes(diff: DigestDiff, lang: Lang) -> list[str]:
    """Caveats to show under the sections."""
    found = []
    if diff.first_run:
        found.append(tr(lang, "Later digests show only what changed."))
    if diff.snapshot.partial:
        found.append(
            tr(
                lang,
                "Some result pages failed to load this time, so a creator shown as no "
                "longer returned may just be missing from this fetch.",
            )
        )
    return found


def watch_line(change: ShortlistChange, lang: Lang) -> str:
    """A shortlist watch change, named by its shortlist: "[Double 11] name — …"."""
    line = change_line(change.change, lang)
    return tr(lang, "[%(shortlist_name)s] %(line)s", shortlist_name=change.shortlist_name, line=line)


def change_line(change: Change, lang: Lang, query: Query | None = None) -> str:
    """One change as a line of the digest."""
    match change:
        case NewMatch():
            passes = change.was_excluded
            how = tr(lang, "now passes the filters") if passes else tr(lang, "new in the results")
            return (
                f"#{change.rank} {change.nickname} — {how}{_score(change.score, lang)}{_size(change, lang)}"
            )
        case Dropped():
            return _dropped(change, lang, query)
        case PriceChange():
            return _price_change(change, lang)
        case BecameUnpriced():
            return tr(
                lang,
                "%(nickname)s — no %(label)s price any more (was %(old)s)",
                nickname=change.nickname,
                label=duration_label(change.duration, lang),
                old=yuan(change.old, lang),
            )
        case FollowerChange():
            return tr(
                lang,
                "%(nickname)s — followers %(moved)s, %(change)s",
                nickname=change.nickname,
                moved=f"{count(change.old, lang)} → {count(change.new, lang)}",
                change=growth(change.delta, change.pct, lang),
            )
        case RankMove():
            return _rank_move(change, lang)


def miss_line(miss: FilterMiss, lang: Lang, query: Query | None = None) -> str:
    """A filter a creator fails, as the user's filter: "followers ≥ 100,000 (now 99,600)",
    "followers ≥ 100,000 (no data)"."""
    described = {name: tr(lang, text) for name, text in active_filters(query)} if query is not None else {}
    text = tr(lang, "brand account") if miss.name == "brand" else described.get(miss.name, miss.name)
    if miss.unknown:
        return tr(lang, "%(text)s (no data)", text=text)
    shown = _VALUE_SHOWN.get(miss.name)
    if miss.value is None or shown is None:
        return text
    return tr(lang, "%(text)s (now %(value)s)", text=text, value=shown(miss.value, lang))


def _exact_yuan(value: float, _lang: Lang) -> str:
    return "¥" + f"{value:,.4f}".rstrip("0").rstrip(".")


# How a miss's value reads: exactly, as a creator just past the bound would otherwise read as the
# bound itself (99,600 followers is 10万 rounded, under `粉丝>=10万`).
_VALUE_SHOWN: dict[str, Callable[[float, Lang], str]] = {
    "followers": lambda v, _lang: f"{v:,.0f}",
    "price": _exact_yuan,
    "cpm": _exact_yuan,
    "cpe": _exact_yuan,
    "er": lambda v, _lang: f"{v * 100:.7g}%",
    "completion": lambda v, _lang: f"{v * 100:.7g}%",
    "star": lambda v, _lang: f"{v:.7g}",
}


def _dropped(change: Dropped, lang: Lang, query: Query | None) -> str:
    match change.reason:
        case DropReason.NOT_RETURNED:
            why = tr(lang, "no longer returned by Xingtu")
        case DropReason.FILTERED:
            fails = tr(lang, "; ").join(miss_line(miss, lang, query) for miss in change.fails)
            why = tr(lang, "no longer matches: %(fails)s", fails=fails)
        case DropReason.EXCLUDED:
            why = tr(lang, "still returned, but left out by the search")
    was = "" if change.old_rank is None else tr(lang, " (was #%(old_rank)s)", old_rank=change.old_rank)
    return f"{change.nickname}{was} — {why}"


def _price_change(change: PriceChange, lang: Lang) -> str:
    signed = yuan(change.delta, lang) if change.delta < 0 else f"+{yuan(change.delta, lang)}"
    return tr(
        lang,
        "%(nickname)s — %(label)s price %(moved)s (%(change)s)",
        nickname=change.nickname,
        label=duration_label(change.duration, lang),
        moved=f"{yuan(change.old, lang)} → {yuan(change.new, lang)}",
        change=f"{signed}{ptr(lang, 'clause separator', ', ')}{change.pct * 100:+.1f}%",
    )


def _rank_move(change: RankMove, lang: Lang) -> str:
    places = abs(change.old_rank - change.new_rank)
    up = change.new_rank < change.old_rank
    direction = tr(lang, "up %(places)s", places=places) if up else tr(lang, "down %(places)s", places=places)
    scores = f"{fmt_score(change.old_score).removesuffix('/100')} → {fmt_score(change.new_score)}"
    return tr(
        lang,
        "%(nickname)s — #%(old_rank)s → #%(new_rank)s (%(direction)s) · score %(scores)s",
        nickname=change.nickname,
        old_rank=change.old_rank,
        new_rank=change.new_rank,
        direction=direction,
        scores=scores,
    )


def _size(change: NewMatch, lang: Lang) -> str:
    """· 200K followers · ¥10,000: what a buyer weighs a new name by (the price for the digest's length)."""
    parts = [tr(lang, "%(followers)s followers", followers=count(change.followers, lang))]
    if change.price is not None:
        parts.append(yuan(change.price, lang))
    return "".join(f" · {part}" for part in parts)


def _score(score: float | None, lang: Lang) -> str:
    return "" if score is None else tr(lang, " · score %(fmt_score)s", fmt_score=fmt_score(score))


def _entry_line(entry: SnapshotEntry, duration: Duration, lang: Lang) -> str:
    return tr(
        lang,
        "#%(rank)s %(nickname)s — score %(score)s · %(followers)s followers · %(price)s",
        rank=entry.rank,
        nickname=entry.nickname,
        score=fmt_score(entry.score),
        followers=count(entry.followers, lang),
        price=f"{duration_label(duration, lang)} {yuan(entry.prices.get(duration), lang)}",
    )


def _section(title: str, lines: list[str], creators: list[tuple[str, str]], max_lines: int) -> DigestSection:
    return DigestSection(
        title, lines[:max_lines], more=max(0, len(lines) - max_lines), creators=creators[:max_lines]
    )
