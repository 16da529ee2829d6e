"""The kinds of change a digest or a shortlist watch reports, each with a short bilingual line."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from bot.digests.recheck import FilterMiss
from bot.formatting import count, duration_label, growth, yuan
from bot.formatting import score as fmt_score
from bot.i18n import pick, ptr, tr
from bot.models import Duration, Lang


@dataclass(frozen=True)
class DiffThresholds:
    """What counts as news. A follower change is reported when either threshold is reached."""

    followers_pct: float = 0.05  # fraction of the previous follower count
    followers_abs: int = 50_000
    rank_move: int = 3  # places gained or lost

    def followers_moved(self, old: int, new: int) -> bool:
        delta = abs(new - old)
        return delta > 0 and (delta >= self.followers_abs or (old > 0 and delta / old >= self.followers_pct))


DEFAULT_THRESHOLDS = DiffThresholds()


@dataclass(frozen=True)
class NewMatch:
    star_id: str
    nickname: str
    rank: int
    score: float | None
    was_excluded: bool  # fetched last time too, but failed a filter then

    def describe(self, lang: Lang) -> str:
        how = tr(lang, "now passes the filters") if self.was_excluded else tr(lang, "new in the results")
        return f"#{self.rank} {self.nickname} — {how}{_score(self.score, lang)}"


class DropReason(StrEnum):
    NOT_RETURNED = "not_returned"  # Xingtu did not return the creator this time
    FILTERED = "filtered"  # returned, but fails a filter now
    EXCLUDED = "excluded"  # returned and passes the re-check, yet the search left it out


@dataclass(frozen=True)
class Dropped:
    star_id: str
    nickname: str
    reason: DropReason
    old_rank: int | None = None
    fails: tuple[FilterMiss, ...] = ()

    def describe(self, lang: Lang) -> str:
        match self.reason:
            case DropReason.NOT_RETURNED:
                why = tr(lang, "no longer returned by Xingtu")
            case DropReason.FILTERED:
                sep = tr(lang, "; ")
                fails = sep.join(miss.describe(lang) for miss in self.fails)
                why = tr(lang, "no longer matches: %(fails)s", fails=fails)
            case DropReason.EXCLUDED:
                why = tr(lang, "still returned, but left out by the search")
        was = "" if self.old_rank is None else tr(lang, " (was #%(old_rank)s)", old_rank=self.old_rank)
        return f"{self.nickname}{was} — {why}"


@dataclass(frozen=True)
class PriceChange:
    star_id: str
    nickname: str
    duration: Duration
    old: float  # yuan
    new: float

    @property
    def delta(self) -> float:
        return self.new - self.old

    @property
    def pct(self) -> float:
        """Change as a fraction of the old price (quotes are always positive)."""
        return self.delta / self.old

    def describe(self, lang: Lang) -> str:
        label = duration_label(self.duration, lang)
        moved = f"{yuan(self.old, lang)} → {yuan(self.new, lang)}"
        change = (
            f"{_signed_yuan(self.delta, lang)}{ptr(lang, 'clause separator', ', ')}{self.pct * 100:+.1f}%"
        )
        return tr(
            lang,
            "%(nickname)s — %(label)s price %(moved)s (%(change)s)",
            nickname=self.nickname,
            label=label,
            moved=moved,
            change=change,
        )


@dataclass(frozen=True)
class BecameUnpriced:
    star_id: str
    nickname: str
    duration: Duration
    old: float  # the last known quote, yuan

    def describe(self, lang: Lang) -> str:
        label, old = duration_label(self.duration, lang), yuan(self.old, lang)
        return tr(
            lang,
            "%(nickname)s — no %(label)s price any more (was %(old)s)",
            nickname=self.nickname,
            label=label,
            old=old,
        )


@dataclass(frozen=True)
class FollowerChange:
    star_id: str
    nickname: str
    old: int
    new: int

    @property
    def delta(self) -> int:
        return self.new - self.old

    @property
    def pct(self) -> float | None:
        return self.delta / self.old if self.old else None

    def describe(self, lang: Lang) -> str:
        moved = f"{count(self.old, lang)} → {count(self.new, lang)}"
        change = growth(self.delta, self.pct, lang)
        return tr(
            lang,
            "%(nickname)s — followers %(moved)s, %(change)s",
            nickname=self.nickname,
            moved=moved,
            change=change,
        )


@dataclass(frozen=True)
class RankMove:
    star_id: str
    nickname: str
    old_rank: int
    new_rank: int
    old_score: float | None
    new_score: float | None

    def describe(self, lang: Lang) -> str:
        places = abs(self.old_rank - self.new_rank)
        up = self.new_rank < self.old_rank
        direction = pick(
            lang, f"up {places}" if up else f"down {places}", f"上升{places}位" if up else f"下降{places}位"
        )
        scores = f"{fmt_score(self.old_score).removesuffix('/100')} → {fmt_score(self.new_score)}"
        return tr(
            lang,
            "%(nickname)s — #%(old_rank)s → #%(new_rank)s (%(direction)s) · score %(scores)s",
            nickname=self.nickname,
            old_rank=self.old_rank,
            new_rank=self.new_rank,
            direction=direction,
            scores=scores,
        )


Change = NewMatch | Dropped | PriceChange | BecameUnpriced | FollowerChange | RankMove


def compare_prices(
    star_id: str, nickname: str, old: Mapping[Duration, float], new: Mapping[Duration, float]
) -> list[PriceChange | BecameUnpriced]:
    """Per video length: a changed quote, or a quote that disappeared. New quotes are not news."""
    changes: list[PriceChange | BecameUnpriced] = []
    for duration in Duration:
        before, after = _quote(old.get(duration)), _quote(new.get(duration))
        if before is not None and after is None:
            changes.append(BecameUnpriced(star_id, nickname, duration, before))
        elif before is not None and after is not None and before != after:
            changes.append(PriceChange(star_id, nickname, duration, before, after))
    return changes


def compare_followers(
    star_id: str, nickname: str, old: int | None, new: int | None, thresholds: DiffThresholds
) -> FollowerChange | None:
    if old is None or new is None or not thresholds.followers_moved(old, new):
        return None
    return FollowerChange(star_id, nickname, old, new)


def _quote(price: float | None) -> float | None:
    """A zero or negative quote means "no quote", as in `Creator.price`."""
    return price if price is not None and price > 0 else None


def _score(score: float | None, lang: Lang) -> str:
    return "" if score is None else tr(lang, " · score %(fmt_score)s", fmt_score=fmt_score(score))


def _signed_yuan(value: float, lang: Lang) -> str:
    return yuan(value, lang) if value < 0 else f"+{yuan(value, lang)}"
