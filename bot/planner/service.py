"""Plans from a shortlist or a search, re-solved at another budget, saved and listed (no Slack calls).

A shortlist plan reads the shortlist now (latest data, quotes and rebates), so re-solving or
planning again after quotes change uses the new quotes. A search plan keeps its candidates in the
saved plan, so re-solving it costs no upstream call.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import replace

from bot.grammar import filter_tokens
from bot.i18n import Text
from bot.identifiers import name_key, namesakes
from bot.models import Lang, Query
from bot.planner import errors
from bot.planner.candidates import Source, build, from_search, from_shortlist
from bot.planner.mcn import McnLookup
from bot.planner.models import OUTLIER_FACTOR, Candidate, Plan, PlanRequest, TierBounds
from bot.planner.optimise import RESOLVE_STEPS, make_plan
from bot.planner.request import PlanCommand
from bot.planner.store import PlanStore, SavedPlan
from bot.search import SearchService
from bot.shortlists.models import Shortlist, ShortlistStatus
from bot.shortlists.service import ShortlistService

MAX_LISTED = 10


_MAX_DIGITS = 18  # a plan number the database can hold (BIGINT)


class PlanService:
    def __init__(
        self,
        store: PlanStore,
        shortlists: ShortlistService,
        search: SearchService,
        mcn: McnLookup,
        tiers: TierBounds,
        *,
        outlier_factor: float = OUTLIER_FACTOR,
    ) -> None:
        """`outlier_factor`: `KOLBOT_PLAN_OUTLIER_FACTOR`, for new plans (a re-solve keeps its plan's)."""
        self.outlier_factor = outlier_factor
        self.store = store
        self._shortlists = shortlists
        self._search = search
        self._mcn = mcn
        self.tiers = tiers

    # -- where -------------------------------------------------------------------------------
    def named_by_search(self, team_id: str, channel_id: str, command: PlanCommand) -> PlanCommand:
        """`command` over the channel's open shortlist its search words name exactly, with no filter
        (`/kol 规划 20万 双11护肤` where a shortlist 双11护肤 is open): a team means its list, not a
        paid search for the list's name. Else `command` as it is."""
        if not command.is_search or filter_tokens(command.search_text):  # a filter: a search
            return command
        named = self._shortlists.open_named(team_id, channel_id, command.query.keyword)  # unquoted
        if named is None:
            return command
        query = command.query.model_copy(update={"keywords": [], "raw": ""})
        return replace(command, search_text="", shortlist=named.short_id, query=query)

    def shortlist_for(self, team_id: str, channel_id: str, ref: str | None) -> Shortlist:
        """The named shortlist, else the channel's only open one."""
        if ref:
            return self._shortlists.resolve(team_id, channel_id, ref)
        open_lists = self._shortlists.list(team_id, channel_id, include_closed=False)
        if not open_lists:
            raise errors.no_shortlist_here()
        if len(open_lists) > 1:
            raise errors.which_shortlist(
                [f"{o.shortlist.name} ({o.shortlist.short_id})" for o in open_lists[:MAX_LISTED]]
            )
        return open_lists[0].shortlist

    # -- planning ------------------------------------------------------------------------------
    def plan_shortlist(
        self, team_id: str, user_id: str, shortlist: Shortlist, command: PlanCommand, lang: Lang
    ) -> SavedPlan:
        request = command.request(shortlist.duration, outlier_factor=self.outlier_factor)
        plan = self._plan_shortlist(team_id, shortlist, request)
        return self.store.save(
            team_id, shortlist.channel_id, user_id, plan, lang=lang, shortlist_id=shortlist.short_id
        )

    def plan_search(
        self, team_id: str, channel_id: str, user_id: str, command: PlanCommand, lang: Lang
    ) -> SavedPlan:
        query: Query = command.query
        result = self._search.search(query)
        request = command.request(query.duration, query.goal, outlier_factor=self.outlier_factor)
        plan = self._solve(request, from_search(result), Text("in this search"))
        if failed := result.stats.pages_failed:  # the plan weighs fewer creators than asked for
            plan.notes.append(
                Text(
                    "Xingtu page(s) %(pages)s could not be loaded, so this plan weighs only the creators of "
                    "the other pages; plan again in a few minutes for all of them.",
                    pages=", ".join(map(str, failed)),
                )
            )
        return self.store.save(team_id, channel_id, user_id, plan, lang=lang, search_text=command.search_text)

    def resolve_at(self, team_id: str, user_id: str, saved: SavedPlan, budget_yuan: float) -> SavedPlan:
        """The same plan at another budget: a shortlist's current data, or the search's saved candidates."""
        request = saved.plan.request.with_budget(budget_yuan)
        if saved.shortlist_id is not None:
            shortlist = self._shortlists.get(team_id, saved.shortlist_id)
            plan = self._plan_shortlist(team_id, shortlist, request)
        else:
            plan = make_plan(request, saved.plan.candidates, saved.plan.tiers, steps=RESOLVE_STEPS)
        return self.store.save(
            team_id,
            saved.channel_id,
            user_id,
            plan,
            lang=saved.lang,
            shortlist_id=saved.shortlist_id,
            search_text=saved.search_text,
        )

    # -- history -------------------------------------------------------------------------------
    def get(self, team_id: str, plan_id: int) -> SavedPlan:
        saved = self.store.get(team_id, plan_id)
        if saved is None:
            raise errors.unknown_plan(str(plan_id))
        return saved

    def show(self, team_id: str, channel_id: str, ref: str) -> SavedPlan:
        """The channel's plan numbered `ref` (`3`, `#3`, full-width `＃３`)."""
        number = unicodedata.normalize("NFKC", ref).strip().lstrip("#").strip()
        if not number.isdigit():
            raise errors.not_a_plan_number(ref.strip())
        saved = self.store.by_number(team_id, channel_id, int(number)) if len(number) <= _MAX_DIGITS else None
        if saved is None:
            raise errors.unknown_plan(ref.strip())
        return saved

    def recent(self, team_id: str, channel_id: str, shortlist_id: str | None = None) -> list[SavedPlan]:
        return self.store.recent(team_id, channel_id, shortlist_id=shortlist_id)

    # -- internals ------------------------------------------------------------------------------
    def _plan_shortlist(self, team_id: str, shortlist: Shortlist, request: PlanRequest) -> Plan:
        summary = self._shortlists.summary(team_id, shortlist.short_id)
        plan = self._solve(request, from_shortlist(summary, request.duration), Text("on this shortlist"))
        if shortlist.status is ShortlistStatus.CLOSED:
            plan.notes.append(Text("The shortlist is closed."))
        return plan

    def _solve(self, request: PlanRequest, sources: Sequence[Source], where: Text) -> Plan:
        if not sources:
            raise errors.no_candidates()
        must = _star_ids(request.must, sources, "must", where)
        exclude = _star_ids(request.exclude, sources, "exclude", where)
        if both := [i for i in must if i in exclude]:  # the same creator, spelled two ways
            creator = next(s.creator for s in sources if s.creator.star_id == both[0])
            raise errors.must_and_exclude(creator.nickname or creator.star_id)
        request = request.model_copy(update={"must": must, "exclude": exclude})
        candidates = build(sources, request.goal, request.duration, self.tiers)
        notes: list[Text] = []
        if request.one_per_mcn:
            candidates, notes = self._with_mcns(candidates)
        unpriced = {
            c.star_id: c.nickname for c in candidates if c.star_id in request.must and c.cost_yuan is None
        }
        if unpriced:
            names = ", ".join(unpriced.values())
            notes.append(
                Text("Must creators without a quote or list price were left out: %(names)s.", names=names)
            )
            request = request.model_copy(update={"must": tuple(m for m in request.must if m not in unpriced)})
        plan = make_plan(request, candidates, self.tiers, steps=RESOLVE_STEPS)
        plan.notes.extend(notes)
        return plan

    def _with_mcns(self, candidates: list[Candidate]) -> tuple[list[Candidate], list[Text]]:
        found = self._mcn.mcns([c.star_id for c in candidates if c.cost_yuan is not None])
        notes: list[Text] = []
        if found.upstream_calls:
            cost = f"{found.cost_usd:.2f}"
            notes.append(
                Text(
                    "MCNs from Xingtu base info: %(calls)s calls, $%(usd)s.",
                    calls=found.upstream_calls,
                    usd=cost,
                )
            )
        if found.failed:
            notes.append(Text("MCN unknown for %(n)s creators; they count as independent.", n=found.failed))
        return [c.model_copy(update={"mcn": found.names.get(c.star_id)}) for c in candidates], notes


def _star_ids(refs: Sequence[str], sources: Sequence[Source], option: str, where: Text) -> tuple[str, ...]:
    """`must=` / `exclude=` entries as star ids: an id among the candidates, or a nickname as the
    cards show it (`name_key`); a name two candidates share is refused with their ids."""
    by_id = {s.creator.star_id: s.creator for s in sources}
    found: list[str] = []
    missing: list[str] = []
    for ref in refs:
        if ref in by_id:
            found.append(ref)
            continue
        key = name_key(ref)
        named = [c for c in by_id.values() if key and name_key(c.nickname or "") == key]
        if len(named) > 1:
            raise namesakes(ref, [(c.nickname or "", c.star_id) for c in named])
        (found if named else missing).append(named[0].star_id if named else ref)
    if missing:
        raise errors.not_candidates(missing, option, where)
    return tuple(dict.fromkeys(found))
