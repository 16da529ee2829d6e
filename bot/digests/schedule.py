"""Digest schedules: a plain-word grammar (English and Chinese) and wall-clock scheduling math.

Forms, each optionally followed by an IANA time zone (`Europe/Berlin` or `tz=Europe/Berlin`;
the default is the workspace's, `Asia/Shanghai` unless configured):

    daily 09:30            每天 09:30
    weekdays 10:00         工作日 10:00       Monday-Friday; public holidays are not skipped
    weekly mon 09:00       每周一 09:00       also "every monday 09:00"
    monthly 1 09:00        每月1日 09:00      day 29-31 runs on the last day of shorter months
    hourly, every 2h, every 30m   每小时, 每2小时, 每30分钟
                           aligned to local midnight, so the step must divide a day evenly

Runs are wall-clock times in the schedule's zone, resolved with `fold=0`. With daylight saving:

* a wall time that does not exist (spring-forward gap) runs once, shifted by the gap:
  02:30 on New York's spring-forward day runs at 03:30 EDT;
* a wall time that occurs twice (fall-back) runs once, at its first occurrence;
* two wall times that land on the same instant (hourly 02:00 and 03:00 on spring-forward day)
  are one run.

A period key is a run's instant in local time with its offset, e.g. "2026-11-23T09:30+08:00": it
depends only on the schedule and the clock, so it is stable across restarts and unique per run.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from itertools import count
from zoneinfo import ZoneInfo, available_timezones

from bot.chinese import simplified
from bot.chinese_numerals import arabic
from bot.digests.vocabulary import (
    CLOCK,
    DAY_OF_MONTH,
    FILLERS,
    HALF_DAY_AFTER,
    HALF_DAY_BEFORE,
    HEADS,
    INTERVAL,
    NIGHT_WORDS,
    NUMERALS_BEFORE_TIME,
    PIECE,
    SPOKEN_HEADS,
    TWELVE_O_CLOCK,
    WEEKDAY_EN,
    WEEKDAY_WORDS,
    ZONE_ALIASES,
    ZONE_NAMES_ZH,
    ZONE_TIME_ZH,
)
from bot.errors import QueryError
from bot.formatting import Shown
from bot.i18n import N_, Plural, Text
from bot.models import Lang

DEFAULT_TZ = "Asia/Shanghai"
DEFAULT_MIN_INTERVAL = timedelta(hours=1)
LATE_AFTER = timedelta(minutes=10)  # a run this long after its time is a catch-up

_DAY_MINUTES = 24 * 60
_EVERY_WEEKDAY = (
    N_("every Monday at %(hhmm)s"),
    N_("every Tuesday at %(hhmm)s"),
    N_("every Wednesday at %(hhmm)s"),
    N_("every Thursday at %(hhmm)s"),
    N_("every Friday at %(hhmm)s"),
    N_("every Saturday at %(hhmm)s"),
    N_("every Sunday at %(hhmm)s"),
)
_USAGE = Text(
    "Schedules: daily 09:30 · weekdays 10:00 · weekly mon 09:00 · monthly 1 09:00 · hourly · every 2h,"
    " optionally followed by a time zone such as Europe/Berlin."
)


class Frequency(StrEnum):
    DAILY = "daily"
    WEEKDAYS = "weekdays"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    INTERVAL = "interval"


@dataclass(frozen=True)
class Schedule:
    """When a digest runs. Build it with `parse_schedule`; `spec` parses back to an equal one."""

    frequency: Frequency
    at: time = time(0, 0)  # local wall-clock time; unused by INTERVAL
    weekday: int = 0  # 0 = Monday; WEEKLY only
    day: int = 1  # 1-31; MONTHLY only
    every_minutes: int = 0  # INTERVAL only; divides a day
    tz: str = DEFAULT_TZ

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def min_gap(self) -> timedelta:
        """The nominal shortest time between two runs."""
        days = {Frequency.DAILY: 1, Frequency.WEEKDAYS: 1, Frequency.WEEKLY: 7, Frequency.MONTHLY: 28}
        if self.frequency is Frequency.INTERVAL:
            return timedelta(minutes=self.every_minutes)
        return timedelta(days=days[self.frequency])

    @property
    def spec(self) -> str:
        """Canonical text, for storage: `weekly mon 09:00 Asia/Shanghai`."""
        hhmm = self.at.strftime("%H:%M")
        match self.frequency:
            case Frequency.WEEKLY:
                body = f"weekly {WEEKDAY_EN[self.weekday][:3].lower()} {hhmm}"
            case Frequency.MONTHLY:
                body = f"monthly {self.day} {hhmm}"
            case Frequency.INTERVAL:
                body = _interval_spec(self.every_minutes)
            case _:
                body = f"{self.frequency} {hhmm}"
        return f"{body} {self.tz}"

    def wording(self) -> Text:
        """One short line for cards: "every Monday at 09:00, Asia/Shanghai time"."""
        hhmm = self.at.strftime("%H:%M")
        match self.frequency:
            case Frequency.DAILY:
                what = Text("daily at %(hhmm)s", hhmm=hhmm)
            case Frequency.WEEKDAYS:
                what = Text("weekdays (Mon–Fri) at %(hhmm)s", hhmm=hhmm)
            case Frequency.WEEKLY:
                what = Text(_EVERY_WEEKDAY[self.weekday], hhmm=hhmm)
            case Frequency.MONTHLY if self.day <= 28:
                what = Text("monthly on day %(day)s at %(hhmm)s", day=self.day, hhmm=hhmm)
            case Frequency.MONTHLY:
                what = Text(
                    "monthly on day %(day)s (or the month's last day) at %(hhmm)s", day=self.day, hhmm=hhmm
                )
            case Frequency.INTERVAL if self.every_minutes == 60:
                what = Text("every hour")
            case Frequency.INTERVAL:
                what = Text("every %(span)s", span=_span(timedelta(minutes=self.every_minutes)))
        return Text("%(what)s, %(tz)s", what=what, tz=Shown(_zone_shown, self.tz))

    def next_due(self, after_utc: datetime) -> datetime:
        """The first run strictly after `after_utc`, in UTC."""
        after = _utc(after_utc)
        start = after.astimezone(self.zone).date() - timedelta(days=1)
        return next(run for run in self._runs(start, 1) if run > after)

    def latest_due(self, at_or_before_utc: datetime) -> datetime:
        """The last run at or before `at_or_before_utc`, in UTC. Every schedule has one."""
        at = _utc(at_or_before_utc)
        start = at.astimezone(self.zone).date() + timedelta(days=1)
        return next(run for run in self._runs(start, -1) if run <= at)

    def period_key(self, instant_utc: datetime) -> str:
        """Key of the period `instant_utc` belongs to: its latest run, in local time with offset."""
        return self.latest_due(instant_utc).astimezone(self.zone).isoformat(timespec="minutes")

    def _runs(self, start: date, step: int) -> Iterator[datetime]:
        """Runs day by day from local date `start`, forwards (step 1) or backwards (step -1)."""
        for offset in count():
            runs = self._runs_on(start + timedelta(days=offset * step))
            yield from runs if step > 0 else reversed(runs)

    def _runs_on(self, day: date) -> list[datetime]:
        """UTC instants of the runs on local date `day`, sorted and de-duplicated."""
        zone = self.zone
        return sorted(
            {datetime.combine(day, at, tzinfo=zone).astimezone(UTC) for at in self._wall_times(day)}
        )

    def _wall_times(self, day: date) -> list[time]:
        match self.frequency:
            case Frequency.INTERVAL:
                return [time(m // 60, m % 60) for m in range(0, _DAY_MINUTES, self.every_minutes)]
            case Frequency.WEEKDAYS if day.weekday() >= 5:
                return []
            case Frequency.WEEKLY if day.weekday() != self.weekday:
                return []
            case Frequency.MONTHLY if day.day != min(self.day, calendar.monthrange(day.year, day.month)[1]):
                return []
        return [self.at]


@dataclass(frozen=True)
class DueRun:
    period_key: str
    scheduled_for: datetime  # UTC
    late: bool  # a catch-up: made more than LATE_AFTER after its time (e.g. after downtime)


def due_run(
    schedule: Schedule, last_period_key: str | None, now_utc: datetime, *, late_after: timedelta = LATE_AFTER
) -> DueRun | None:
    """The run to make now, if any.

    Only the latest due period is ever returned, so after downtime a digest catches up once
    (marked late), not once per missed period. `None` as the last key means "never ran": the
    latest period runs now. To wait for the next slot instead, store `period_key(created_at)`.
    """
    run = schedule.latest_due(now_utc)
    if last_period_key is not None and datetime.fromisoformat(last_period_key) >= run:
        return None
    return DueRun(schedule.period_key(run), run, late=_utc(now_utc) - run > late_after)


def parse_schedule(
    text: str, *, default_tz: str = DEFAULT_TZ, min_interval: timedelta = DEFAULT_MIN_INTERVAL
) -> Schedule:
    """Parse `daily 09:30 Europe/Berlin`, `每周一 09:00`…; raise `QueryError` naming the bad part."""
    words = _as_written(unicodedata.normalize("NFKC", text)).split()
    zones = [w for w in words if _looks_like_zone(w.lower())]
    if len(zones) > 1:
        raise _error(zones[1], Text("Give only one time zone, not also “%(zone)s”.", zone=zones[1]))
    tz = _zone_name(zones[0] if zones else default_tz)
    schedule = _parse_body(" ".join(w for w in words if w not in zones).lower(), tz)
    if schedule.min_gap < min_interval:
        raise _error(
            text,
            Text(
                "“%(text)s” runs too often: at most once every %(span)s is allowed.",
                text=text.strip(),
                span=_span(min_interval),
            ),
        )
    return schedule


def _as_written(text: str) -> str:
    """A schedule as said (`每晚八点`, `每週一 9點`, `每两小时`) in the words the grammar reads:
    Simplified, numerals before a time unit in digits, `每晚` as `每天 晚`. Zone names keep their case."""
    text = NUMERALS_BEFORE_TIME.sub(lambda run: arabic(run[0]), simplified(text))
    return _SPOKEN_HEAD.sub(lambda head: SPOKEN_HEADS[head[0]], text)


_SPOKEN_HEAD = re.compile("|".join(sorted(SPOKEN_HEADS, key=len, reverse=True)))


def _parse_body(body: str, tz: str) -> Schedule:
    head, rest = _split_head(body)
    if head == "every":
        return Schedule(Frequency.INTERVAL, every_minutes=_interval_minutes(rest), tz=tz)
    pieces = deque(p for p in PIECE.findall(rest) if p not in FILLERS)
    match head:
        case "hourly":
            schedule = Schedule(Frequency.INTERVAL, every_minutes=60, tz=tz)
        case "weekly":
            weekday = (_weekday(pieces, body) + _ends_the_day(pieces)) % 7
            schedule = Schedule(Frequency.WEEKLY, at=_clock(pieces, body), weekday=weekday, tz=tz)
        case "monthly":
            day = _day_of_month(pieces, body)
            day = day % 31 + 1 if _ends_the_day(pieces) else day
            schedule = Schedule(Frequency.MONTHLY, at=_clock(pieces, body), day=day, tz=tz)
        case _:
            schedule = Schedule(Frequency(head), at=_clock(pieces, body), tz=tz)
    if pieces:
        raise _error(pieces[0], Text("Unexpected “%(piece)s” in the schedule.", piece=pieces[0]))
    return schedule


def _split_head(body: str) -> tuple[str, str]:
    for pattern, head in HEADS:
        if match := pattern.match(body):
            return head, body[match.end() :]
    token = body.split()[0] if body.split() else body
    raise _error(token, Text("Unknown schedule “%(token)s”.", token=token))


def _interval_minutes(rest: str) -> int:
    piece = rest.strip()
    match = INTERVAL.fullmatch(piece)
    if not match:
        raise _error(piece, Text("Cannot read the interval “%(piece)s”.", piece=piece))
    minutes = int(match[1]) * (60 if match[2] else 1)
    if not 0 < minutes <= _DAY_MINUTES or _DAY_MINUTES % minutes:
        raise _error(
            piece,
            Text(
                "“every %(piece)s” does not divide a day evenly: use 1, 2, 3, 4, 6, 8 or 12 hours, or daily.",
                piece=piece,
            ),
        )
    return minutes


def _weekday(pieces: deque[str], body: str) -> int:
    if not pieces:
        raise _error(body, Text("“%(body)s” needs a weekday, e.g. weekly mon 09:00.", body=body))
    piece = pieces.popleft()
    if piece not in WEEKDAY_WORDS:
        raise _error(piece, Text("Unknown weekday “%(piece)s”.", piece=piece))
    return WEEKDAY_WORDS[piece]


def _day_of_month(pieces: deque[str], body: str) -> int:
    if not pieces:
        raise _error(body, Text("“%(body)s” needs a day of the month, e.g. monthly 1 09:00.", body=body))
    piece = pieces.popleft()
    match = DAY_OF_MONTH.fullmatch(piece)
    if not match or not 1 <= int(match[1]) <= 31:
        raise _error(piece, Text("Day of month “%(piece)s” must be 1–31.", piece=piece))
    return int(match[1])


def _ends_the_day(pieces: deque[str]) -> bool:
    """`周一 晚上12点` is the midnight that ends Monday, so it runs at 00:00 on Tuesday."""
    return len(pieces) >= 2 and pieces[0] in NIGHT_WORDS and bool(TWELVE_O_CLOCK.match(pieces[1]))


def _clock(pieces: deque[str], body: str) -> time:
    before = pieces.popleft() if pieces and pieces[0] in HALF_DAY_BEFORE else ""
    if not pieces:
        raise _error(body, Text("“%(body)s” needs a time of day, e.g. daily 09:30.", body=body))
    piece = pieces.popleft()
    after = pieces.popleft() if pieces and pieces[0] in HALF_DAY_AFTER else ""
    half = HALF_DAY_AFTER[after] if after else HALF_DAY_BEFORE.get(before)
    match = CLOCK.fullmatch(piece if half is None or not piece.isdigit() else f"{piece}:00")
    if match:
        hour, minute = int(match[1] or match[3]), 30 if match[5] else int(match[2] or match[4] or 0)
        if half is not None:
            hour = _on_the_day_clock(hour, half, before in NIGHT_WORDS, f"{before}{piece}{after}")
        if hour <= 23 and minute <= 59:
            return time(hour, minute)
    raise _error(piece, Text("“%(piece)s” is not a time of day (HH:MM, 00:00–23:59).", piece=piece))


def _on_the_day_clock(hour: int, half: int, night: bool, typed: str) -> int:
    """A 12-hour clock's hour on the 24-hour clock: 12am = 0, 12pm = 12, 下午3点 = 15, 晚上12点 = 0.
    An hour already past noon stays itself after pm (13pm, 下午15点); one that contradicts its
    half of the day (13am, 上午15点) is refused rather than guessed."""
    if 1 <= hour <= 12:
        return 0 if night and hour == 12 else hour % 12 + half
    if (hour == 0 and half == 0) or (13 <= hour <= 23 and half == 12):
        return hour
    raise _error(
        typed,
        Text(
            "“%(typed)s” is not a time of day: am and pm go with 1–12 (9am, 3pm), or write 00:00–23:59.",
            typed=typed,
        ),
    )


def _zone_shown(zone: str, lang: Lang) -> str:
    """A time zone as a card in `lang` names it: `Asia/Shanghai time` in English, `北京时间` in Chinese."""
    if lang == "zh":
        return ZONE_NAMES_ZH.get(zone) or ZONE_TIME_ZH.format(zone=zone)
    return Text("%(zone)s time", zone=zone).render(lang)


def _interval_spec(minutes: int) -> str:
    if minutes == 60:
        return "hourly"
    return f"every {minutes // 60}h" if minutes % 60 == 0 else f"every {minutes}m"


def _looks_like_zone(word: str) -> bool:
    return word.startswith("tz=") or "/" in word or word in {"utc", "gmt"} or simplified(word) in ZONE_ALIASES


@lru_cache(maxsize=1)
def _zones() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def _zone_name(word: str) -> str:
    name = re.sub(r"(?i)^tz=", "", word)
    canonical = _zones().get(name.lower()) or ZONE_ALIASES.get(simplified(name).lower())
    if canonical is None:
        raise QueryError(
            word,
            Text("Unknown time zone “%(name)s”.", name=name),
            usage=Text("Use an IANA name such as Asia/Shanghai, Europe/Berlin or America/New_York."),
        )
    return canonical


def _span(span: timedelta) -> Text:
    """The span in its largest whole unit: "2 hours"."""
    minutes = int(span.total_seconds() // 60)
    if minutes % _DAY_MINUTES == 0:
        return Plural("%(n)s day", "%(n)s days", minutes // _DAY_MINUTES)
    if minutes % 60 == 0:
        return Plural("%(n)s hour", "%(n)s hours", minutes // 60)
    return Plural("%(n)s minute", "%(n)s minutes", minutes)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("scheduling needs an aware datetime")
    return moment.astimezone(UTC)


def _error(token: str, what: Text) -> QueryError:
    return QueryError(token, what, usage=_USAGE)
