"""The monthly TikHub budget of a workspace: accounting, the 80 % warning and the 100 % stop.

`SpendMeter` is what `TikHubClient` consults: `check()` just before a paid call (after the cache,
so cached answers still serve over budget) raises `BudgetExhausted`, and `record()` stores every
billed call's cost against the current `Payer`. Months are UTC calendar months. Concurrent
requests each check before their own calls, so a month can overshoot by the calls in flight.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.errors import KolbotError, QueryError, UpstreamError, UpstreamKind
from bot.formatting import usd
from bot.i18n import Text
from bot.settings import Settings
from bot.spend import vocabulary
from bot.spend.payer import UNATTRIBUTED, current_payer
from bot.store.spend import SpendLine, SpendStore

log = logging.getLogger(__name__)

WARN_AT = 0.8
MONTHS = (
    Text("January"),
    Text("February"),
    Text("March"),
    Text("April"),
    Text("May"),
    Text("June"),
    Text("July"),
    Text("August"),
    Text("September"),
    Text("October"),
    Text("November"),
    Text("December"),
)


def month_bounds(now: datetime) -> tuple[datetime, datetime]:
    """The UTC calendar month containing `now`: [first instant, first instant of the next month)."""
    start = now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if start.month == 12:
        return start, start.replace(year=start.year + 1, month=1)
    return start, start.replace(month=start.month + 1)


def month_name(start: datetime) -> Text:
    """ "December 2026" (2026年12月)."""
    return Text("%(month)s %(year)s", month=MONTHS[start.month - 1], year=start.year)


def day_name(day: datetime) -> Text:
    """ "1 January" (1月1日)."""
    return Text("%(day)s %(month)s", day=day.day, month=MONTHS[day.month - 1])


@dataclass(frozen=True)
class BudgetStatus:
    """A workspace's spend this month against its budget (None = no budget)."""

    spent_usd: float
    budget_usd: float | None
    month_start: datetime
    month_end: datetime

    @property
    def ratio(self) -> float | None:
        if self.budget_usd is None:
            return None
        return 1.0 if self.budget_usd <= 0 else round(self.spent_usd / self.budget_usd, 6)  # 0.04/0.05 = 0.8

    @property
    def exhausted(self) -> bool:
        return self.budget_usd is not None and self.spent_usd >= self.budget_usd

    @property
    def near(self) -> bool:
        return self.ratio is not None and self.ratio >= WARN_AT

    def line(self) -> Text:
        """'$8.20 of $10.00 (82 %)', or '$8.20 (no budget set)'."""
        spent = usd(self.spent_usd)
        if self.budget_usd is None:
            return Text("%(spent)s (no budget set)", spent=spent)
        budget, share = usd(self.budget_usd), round((self.ratio or 0) * 100)
        return Text("%(spent)s of %(budget)s (%(share)s %%)", spent=spent, budget=budget, share=share)

    def warning(self) -> Text | None:
        """The note searches carry from 80 % of the budget on; None below it."""
        if self.exhausted:
            return Text(
                "⛔ This month's TikHub budget is used up: %(line)s. New paid calls are refused until an "
                "admin raises it (`%(command)s budget <usd>`) or the month turns. Cached results still work.",
                line=self.line(),
            )
        if self.near:
            return Text(
                "⚠️ TikHub spend this month: %(line)s. Paid calls stop "
                "at 100 %%; cached results keep working.",
                line=self.line(),
            )
        return None


class BudgetExhausted(UpstreamError):
    """Refused before a paid call: the workspace's monthly budget is used up."""

    def __init__(self, status: BudgetStatus) -> None:
        super().__init__(UpstreamKind.BUDGET, detail=f"monthly budget used: {status.line()}")
        resets = status.month_end
        self.what = Text(
            "This workspace has used its TikHub budget for %(month)s: %(line)s. "
            "kolbot makes no more paid calls this month.",
            month=month_name(status.month_start),
            line=status.line(),
        )
        self.hint = Text(
            "Cached results still work. An admin can raise the budget with `%(command)s budget <usd>`; "
            "it resets on %(resets)s (UTC).",
            resets=day_name(resets),
        )


@dataclass(frozen=True)
class Usage:
    """`/kol usage`: the month's spend by user and by feature."""

    status: BudgetStatus
    by_user: list[SpendLine]
    by_feature: list[SpendLine]


def parse_budget_usd(text: str) -> float | None:
    """ "50", "$50", "12.5 usd" -> dollars; "off"/"关闭" -> None (no budget); else `QueryError`."""
    value = text.strip()
    if value.lower() in vocabulary.OFF:
        return None
    match = vocabulary.AMOUNT.fullmatch(value)
    if match is None:
        raise QueryError(
            value or "budget",
            Text("“%(value)s” is not an amount in US dollars.", value=value)
            if value
            else Text("Say how many US dollars a month."),
            usage=Text(
                "Use `%(command)s budget 50` (US dollars a month), or `%(command)s budget off` "
                "for no budget.",
            ),
        )
    return float(match.group(1))


def check_usage_args(text: str) -> None:
    """`usage` shows this month's spend and takes nothing else: a word after it is named, not dropped."""
    extra = text.strip()
    if extra:
        raise QueryError(
            extra[:40],
            Text("`usage` takes nothing after it: “%(extra)s”.", extra=extra[:40]),
            usage=Text("`%(command)s usage` shows this month's TikHub spend, by user and by feature."),
        )


def not_an_admin(status: BudgetStatus) -> KolbotError:
    return KolbotError(
        Text("Only kolbot admins can change the TikHub budget."),
        hint=Text(
            "Ask a Slack workspace admin or owner, or the person who runs kolbot for your team. "
            "This month: %(line)s.",
            line=status.line(),
        ),
    )


class BudgetService:
    """Spend accounting and the budget for every workspace; also the `SpendMeter` of `TikHubClient`."""

    def __init__(
        self, store: SpendStore, settings: Settings, *, now: Callable[[], datetime] | None = None
    ) -> None:
        self._store, self._settings = store, settings
        self._now = now or (lambda: datetime.now(UTC))

    # -- SpendMeter ------------------------------------------------------------------------------
    def check(self) -> None:
        """Raise `BudgetExhausted` when the current payer's workspace has used its budget."""
        payer = current_payer()
        if payer is None or not payer.team_id:
            return
        status = self.status(payer.team_id)
        if status.exhausted:
            raise BudgetExhausted(status)

    def record(self, calls: int, cost_usd: float) -> None:
        """Charge a billed request to the current payer; a storage failure is logged, never raised."""
        if cost_usd <= 0:
            return
        payer = current_payer() or UNATTRIBUTED
        try:
            self._store.add(payer, calls, cost_usd, self._now())
        except Exception:
            log.error("could not record TikHub spend of $%.4f for %s", cost_usd, payer, exc_info=True)

    # -- queries and commands --------------------------------------------------------------------
    def budget_usd(self, team_id: str) -> float | None:
        stored = self._store.budget(team_id)
        return self._settings.kolbot_monthly_budget_usd if stored is None else stored.monthly_usd

    def status(self, team_id: str) -> BudgetStatus:
        start, end = month_bounds(self._now())
        spent = round(self._store.total(team_id, start, end), 6)  # sums of 0.02 drift in the last digits
        return BudgetStatus(spent, self.budget_usd(team_id), start, end)

    def usage(self, team_id: str) -> Usage:
        status = self.status(team_id)
        window = team_id, status.month_start, status.month_end
        return Usage(status, self._store.by("user_id", *window), self._store.by("feature", *window))

    def is_admin(self, user_id: str) -> bool:
        """Listed in `KOLBOT_ADMINS` (Slack workspace admins are checked by the caller)."""
        return user_id in self._settings.admin_ids

    def set_budget(
        self, team_id: str, user_id: str, text: str, *, slack_admin: Callable[[], bool]
    ) -> BudgetStatus:
        """Set the workspace's monthly budget; refused unless the user is an admin."""
        if not (self.is_admin(user_id) or slack_admin()):
            raise not_an_admin(self.status(team_id))
        usd_value = parse_budget_usd(text)
        self._store.set_budget(team_id, usd_value, user_id, self._now())
        return self.status(team_id)
