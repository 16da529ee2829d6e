"""What the planner reads and returns. Money is yuan; `None` means unknown, never zero."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.i18n import Text
from bot.models import Duration, Goal
from bot.planner.wording import StoredText


class Tier(StrEnum):
    HEAD = "head"  # 头部
    MID = "mid"  # 腰部
    TAIL = "tail"  # 尾部


TIER_LABELS: dict[Tier, Text] = {
    Tier.HEAD: Text("Head"),
    Tier.MID: Text("Mid"),
    Tier.TAIL: Text("Tail"),
}
# the tier in running text ("mix head 1–2", "2 head creators"): lower case in English
TIER_WORDS: dict[Tier, Text] = {
    Tier.HEAD: Text("head"),
    Tier.MID: Text("mid"),
    Tier.TAIL: Text("tail"),
}


class TierBounds(BaseModel):
    """Follower thresholds: head ≥ `head_min`, mid ≥ `mid_min`, tail below (and unknown followers)."""

    model_config = ConfigDict(frozen=True)

    head_min: int = 1_000_000
    mid_min: int = 100_000

    def tier_of(self, followers: int | None) -> Tier:
        if followers is not None and followers >= self.head_min:
            return Tier.HEAD
        if followers is not None and followers >= self.mid_min:
            return Tier.MID
        return Tier.TAIL


class PriceBasis(StrEnum):
    QUOTE = "quote"  # the quote recorded in the shortlist thread, net of its rebate
    LIST = "list"  # Xingtu list price for the plan's video length


class TierRange(BaseModel):
    """How many creators of one tier the plan must have: `low`..`high` (None: no upper limit)."""

    model_config = ConfigDict(frozen=True)

    low: int = 0
    high: int | None = None


OUTLIER_FACTOR = 5.0  # `KOLBOT_PLAN_OUTLIER_FACTOR`'s default, and what plans saved before it used


class PlanRequest(BaseModel):
    """Everything the user asked for. `max_share` is a fraction of the budget (0.4 = 40 %)."""

    model_config = ConfigDict(frozen=True)

    budget_yuan: float
    goal: Goal = Goal.AWARENESS
    duration: Duration = Duration.MEDIUM
    mix: dict[Tier, TierRange] = Field(default_factory=dict)
    max_share: float | None = None
    must: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    one_per_mcn: bool = False
    # a CPM above this × the median leaves a creator out (`bot.planner.outliers`); 0: none is
    outlier_factor: float = OUTLIER_FACTOR

    def with_budget(self, budget_yuan: float) -> PlanRequest:
        return self.model_copy(update={"budget_yuan": round(budget_yuan, 2)})


class Candidate(BaseModel):
    """One creator the planner may pick, with the cost and value it uses."""

    model_config = ConfigDict(frozen=True)

    star_id: str
    nickname: str
    followers: int | None
    tier: Tier
    cost_yuan: float | None  # None: no quote and no list price ("ask for a quote")
    basis: PriceBasis | None
    list_price_yuan: float | None
    quote_yuan: float | None  # as quoted, before the rebate
    rebate_pct: float | None
    expected_plays: float | None
    plays_estimated: bool  # plays from price ÷ CPM × 1000, not Xingtu's figure
    engagements: float | None
    # engagements from plays × the candidates' median engagement rate (no CPE, no rate of its own)
    engagements_estimated: bool = False
    value: float  # what the goal maximises
    value_estimated: bool  # some factor of `value` came from the cohort median
    mcn: str | None = None
    live: bool = True
    data_time: datetime | None = None
    xingtu_url: str = ""

    @property
    def cpm_yuan(self) -> float | None:
        if self.cost_yuan is None or not self.expected_plays:
            return None
        return self.cost_yuan * 1000 / self.expected_plays

    @property
    def cpe_yuan(self) -> float | None:
        if self.cost_yuan is None or not self.engagements:
            return None
        return self.cost_yuan / self.engagements


class BindingKind(StrEnum):
    """The constraint that made a plan infeasible; also the relaxation order (see `diagnose`)."""

    ONE_PER_MCN = "one_per_mcn"
    MAX_SHARE = "max_share"
    MIX = "mix"
    MUST = "must"
    BUDGET = "budget"  # the budget buys nobody (not an infeasibility: the empty plan)


class Binding(BaseModel):
    kind: BindingKind  # the one named (with several relaxed: the last)
    what: StoredText  # why, in words a marketer can act on
    relaxed: tuple[BindingKind, ...] = ()  # what the nearest feasible plan leaves out

    @model_validator(mode="before")
    @classmethod
    def _saved_before_the_catalog(cls, data: Any) -> Any:
        """A plan saved before the catalog wrote the reason out as `en` and `zh`."""
        if isinstance(data, dict) and "what" not in data and "en" in data:
            data = {**data, "what": {"en": data.pop("en"), "zh": data.pop("zh", "")}}
        return data


class Pick(BaseModel):
    candidate: Candidate
    runner_up: Candidate | None = None  # the best swap for this pick that keeps the plan feasible


class PlanStatus(StrEnum):
    OPTIMAL = "optimal"  # every constraint met
    RELAXED = "relaxed"  # the asked-for plan was infeasible; this is the nearest feasible one
    EMPTY = "empty"  # nothing affordable


class Plan(BaseModel):
    """The solved plan. `request` is what the user asked; `solved` what was solved (relaxed if needed)."""

    request: PlanRequest
    solved: PlanRequest
    tiers: TierBounds
    status: PlanStatus
    binding: Binding | None = None
    picks: list[Pick]
    candidates: list[Candidate]  # every candidate, priced or not (the chart and the runner-ups)
    notes: list[StoredText] = Field(default_factory=list)  # warnings
    # left out: a CPM far above the other candidates' (`bot.planner.outliers`)
    overpriced: list[str] = Field(default_factory=list)
    # the budget changes (percent) that give another plan; None: saved before kolbot checked them
    resolve_steps: list[int] | None = None

    @property
    def chosen(self) -> list[Candidate]:
        return [p.candidate for p in self.picks]

    @property
    def unpriced(self) -> list[Candidate]:
        """Left out for want of a price: ask for a quote."""
        return [c for c in self.candidates if c.cost_yuan is None and c.star_id not in self.request.exclude]

    @property
    def unvalued(self) -> list[Candidate]:
        """Priced, but left out for want of what the goal maximises (its value is 0: no expected
        plays, or no convert index for conversion). A `must=` creator is in the plan, never here."""
        skipped = {*self.request.exclude, *self.overpriced, *(c.star_id for c in self.chosen)}
        priced = [c for c in self.candidates if c.cost_yuan is not None]
        return [c for c in priced if c.value <= 0 and c.star_id not in skipped]

    @property
    def spent_yuan(self) -> float:
        return sum(c.cost_yuan or 0.0 for c in self.chosen)

    @property
    def left_yuan(self) -> float:
        return self.request.budget_yuan - self.spent_yuan

    @property
    def objective(self) -> float:
        return sum(c.value for c in self.chosen)

    @property
    def expected_plays(self) -> float:
        return sum(c.expected_plays or 0.0 for c in self.chosen)

    @property
    def engagements(self) -> float:
        return sum(c.engagements or 0.0 for c in self.chosen)

    @property
    def blended_cpm_yuan(self) -> float | None:
        with_plays = [c for c in self.chosen if c.expected_plays]
        plays = sum(c.expected_plays or 0.0 for c in with_plays)
        return sum(c.cost_yuan or 0.0 for c in with_plays) * 1000 / plays if plays else None

    @property
    def blended_cpe_yuan(self) -> float | None:
        engaged = [c for c in self.chosen if c.engagements]
        total = sum(c.engagements or 0.0 for c in engaged)
        return sum(c.cost_yuan or 0.0 for c in engaged) / total if total else None

    @property
    def any_estimated(self) -> bool:
        return any(c.plays_estimated for c in self.chosen)

    @property
    def engagements_estimated(self) -> bool:
        return any(c.engagements_estimated for c in self.chosen)

    @property
    def not_excluded(self) -> list[Candidate]:
        """The candidates the user did not exclude: those the overpriced are judged against, by
        their median CPM (`bot.planner.outliers.median_cpm`)."""
        return [c for c in self.candidates if c.star_id not in self.request.exclude]

    @property
    def overpriced_candidates(self) -> list[Candidate]:
        ids = set(self.overpriced)
        return [c for c in self.candidates if c.star_id in ids]

    def by_tier(self) -> list[tuple[Tier, list[Pick]]]:
        return [(t, [p for p in self.picks if p.candidate.tier is t]) for t in Tier]
