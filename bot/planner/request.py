"""Reading `/kol plan …`: the budget, the planner's options, and the search (if any) to plan over.

    /kol plan ¥200000 [goal=…] [duration=…] [mix=head:1-2,mid:3-5,tail:5-10] [max_share=40%]
                      [must=<id>,…] [exclude=<id>,…] [one_per_mcn=yes] [shortlist=<name|id>]
                      [<keyword> <search filters>…]

The budget is the first word (`¥200000`, `20万`, `200k`) or `budget=`. `goal=`, `duration=` and
`lang=` are read by the search grammar, so their spellings are the search's; words left over
make it a search plan (`护肤 followers>=10w`), else the shortlist's creators are the candidates.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.errors import KolbotError, QueryError
from bot.grammar import normalize_text
from bot.i18n import Untranslated
from bot.models import Duration, Goal, Query
from bot.planner.models import PlanRequest, Tier, TierRange
from bot.shortlists.inputs import parse_budget

PLACEHOLDER = "_"  # the grammar wants a keyword; options alone parse after this one
_OPTION = re.compile(r"^(?P<key>[^\s=＝:]+)\s*[=＝]\s*(?P<value>.*)$")
_KEYS = {
    "budget": "budget",
    "预算": "budget",
    "mix": "mix",
    "组合": "mix",
    "max_share": "max_share",
    "maxshare": "max_share",
    "share": "max_share",
    "单人上限": "max_share",
    "must": "must",
    "必选": "must",
    "exclude": "exclude",
    "排除": "exclude",
    "one_per_mcn": "one_per_mcn",
    "每个mcn一位": "one_per_mcn",
    "shortlist": "shortlist",
    "名单": "shortlist",
    "清单": "shortlist",
}
_TIER_NAMES = {
    "head": Tier.HEAD,
    "头部": Tier.HEAD,
    "mid": Tier.MID,
    "middle": Tier.MID,
    "腰部": Tier.MID,
    "tail": Tier.TAIL,
    "尾部": Tier.TAIL,
}
_MIX_PART = re.compile(r"^(?P<tier>[^:：=]+?)\s*[:：=]\s*(?P<counts>.*)$")
_COUNT = re.compile(r"^(?P<low>\d+)(?:\s*(?P<plus>\+)|\s*[-~～]\s*(?P<high>\d+))?$")
_SHARE = re.compile(r"^(?P<num>\d+(?:\.\d+)?)\s*(?P<pct>%|％)?$")
_YES = {"yes", "y", "true", "on", "1", "是", "要"}
_NO = {"no", "n", "false", "off", "0", "否", "不要"}
_SEARCH_ONLY_FIELDS = {
    "raw",
    "keywords",
    "top",
    "pages",
    "goal",
    "duration",
    "lang",
    "notes",
}  # notes: grammar hints


@dataclass(frozen=True)
class PlanCommand:
    """A parsed `/kol plan` line. `query.keywords` is empty for a shortlist plan."""

    budget_yuan: float
    query: Query
    search_text: str  # what to search (empty for a shortlist plan)
    mix: dict[Tier, TierRange] = field(default_factory=dict)
    max_share: float | None = None
    must: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    one_per_mcn: bool = False
    shortlist: str | None = None

    @property
    def is_search(self) -> bool:
        return bool(self.search_text)

    def request(self, default_duration: Duration, default_goal: Goal = Goal.SEEDING) -> PlanRequest:
        given = self.query.model_fields_set
        return PlanRequest(
            budget_yuan=self.budget_yuan,
            goal=self.query.goal if "goal" in given else default_goal,
            duration=self.query.duration if "duration" in given else default_duration,
            mix=self.mix,
            max_share=self.max_share,
            must=self.must,
            exclude=self.exclude,
            one_per_mcn=self.one_per_mcn,
        )


def usage(lang: str, command: str = "/kol") -> str:
    if lang == "zh":
        return (
            f"用法：`{command} plan 20万 [goal=…] [duration=…] [mix=head:1-2,mid:3-5,tail:5-10] "
            "[max_share=40%] [must=<id>,…] [exclude=<id>,…] [one_per_mcn=yes]`，在候选名单中按名单规划；"
            f"加上搜索词（`{command} plan 20万 护肤 followers>=10w`）则按搜索结果规划。"
        )
    return (
        f"Usage: `{command} plan ¥200000 [goal=…] [duration=…] [mix=head:1-2,mid:3-5,tail:5-10] "
        "[max_share=40%] [must=<id>,…] [exclude=<id>,…] [one_per_mcn=yes]` plans over a shortlist; "
        f"add a search (`{command} plan 200k 护肤 followers>=10w`) to plan over its results."
    )


def _error(token: str, en: str, zh: str) -> QueryError:
    return QueryError(token[:60], Untranslated(en, zh), usage=Untranslated(usage("en"), usage("zh")))


def parse_plan(text: str, parse_query: Callable[[str], Query]) -> PlanCommand:
    """Raises `QueryError` naming the bad part."""
    words = normalize_text(text).split()
    options: dict[str, str] = {}
    rest: list[str] = []
    for word in words:
        match = _OPTION.match(word)
        key = _KEYS.get(match["key"].lower()) if match else None
        if match and key:
            options[key] = match["value"]
        else:
            rest.append(word)
    budget_text = options.get("budget")
    if budget_text is None and rest:
        budget_text = rest.pop(0)
    elif rest and _is_budget(rest[0]):
        raise _error(
            rest[0],
            f"Two budgets: `{rest[0]}` and `budget={budget_text}`; give one.",
            f"给出了两个预算：`{rest[0]}` 和 `budget={budget_text}`；请只保留一个。",
        )
    budget = parse_plan_budget(budget_text)
    query = parse_query(" ".join([PLACEHOLDER, *rest]))
    search_text = " ".join(rest) if len(query.keywords) > 1 else ""
    if search_text:
        query = parse_query(search_text)
    else:
        extra = sorted(query.model_fields_set - _SEARCH_ONLY_FIELDS)
        if extra:
            raise _error(
                extra[0],
                f"`{extra[0]}` is a search filter, but no keyword was given to search.",
                f"`{extra[0]}` 是搜索筛选条件，但没有给出搜索关键词。",
            )
    must = parse_ids(options.get("must", ""), "must")
    exclude = parse_ids(options.get("exclude", ""), "exclude")
    both = [i for i in must if i in exclude]
    if both:
        raise _error(
            both[0], f"{both[0]} is in both must and exclude.", f"{both[0]} 同时出现在必选和排除中。"
        )
    return PlanCommand(
        budget_yuan=budget,
        query=query,
        search_text=search_text,
        mix=parse_mix(options["mix"]) if "mix" in options else {},
        max_share=parse_share(options["max_share"]) if "max_share" in options else None,
        must=must,
        exclude=exclude,
        one_per_mcn=parse_yes_no(options.get("one_per_mcn", "no")),
        shortlist=options.get("shortlist") or None,
    )


MIN_BUDGET_YUAN, MAX_BUDGET_YUAN = 1.0, 1e9


def parse_plan_budget(text: str | None) -> float:
    """A positive budget in yuan: `¥200000`, `20万`, `200k`."""
    if not text:
        raise _error("plan", "A plan needs a budget.", "规划需要一个预算。")
    try:
        budget = parse_budget(text)
    except KolbotError:
        budget = None
    if not budget:
        raise _error(
            text,
            f"“{text}” is not a budget; give it first, in yuan, e.g. ¥200000, 20万 or 200k.",
            f"“{text}”不是有效的预算；请把预算放在最前面，以元为单位，例如 ¥200000、20万 或 200k。",
        )
    if not MIN_BUDGET_YUAN <= budget <= MAX_BUDGET_YUAN:
        raise _error(
            text,
            f"“{text}” is outside what a plan can use: from ¥1 to ¥10亿 (1,000,000,000).",
            f"“{text}”超出规划可用的范围：¥1 至 ¥10亿。",
        )
    return budget


def _is_budget(word: str) -> bool:
    try:
        return bool(parse_budget(word)) and any(c.isdigit() for c in word)
    except KolbotError:
        return False


def parse_mix(text: str) -> dict[Tier, TierRange]:
    """`head:1-2,mid:3-5,tail:5-10` (also `头部:1`, `tail:5+`)."""
    mix: dict[Tier, TierRange] = {}
    for part in re.split(r"[,，;；]", text):
        if not part.strip():
            continue
        split = _MIX_PART.match(part.strip())
        tier = _TIER_NAMES.get(split["tier"].lower()) if split else None
        match = _COUNT.match(split["counts"]) if split and tier else None
        if tier is None or match is None:
            raise _error(
                part,
                f"“{part}” is not a mix part; write tier:count, e.g. head:1-2, mid:3-5, tail:5+.",
                f"“{part}”不是有效的组合；请写成 层级:人数，"
                "例如 head:1-2、mid:3-5、tail:5+（头部/腰部/尾部）。",
            )
        low = int(match["low"])
        high = None if match["plus"] else int(match["high"]) if match["high"] else low
        if high is not None and high < low:
            raise _error(part, f"“{part}”: the range runs backwards.", f"“{part}”：人数范围前大后小。")
        mix[tier] = TierRange(low=low, high=high)
    if not mix:
        raise _error("mix=", "mix= is empty.", "mix= 为空。")
    return mix


def parse_share(text: str) -> float:
    """`40%`, `40` or `0.4` → 0.4; must be above 0 and at most 100 %."""
    match = _SHARE.match(text.strip())
    number = float(match["num"]) if match else None
    if match and number is not None and (match["pct"] or number > 1):
        number /= 100
    if number is None or not (0 < number <= 1):
        raise _error(
            text,
            f"“{text}” is not a share of the budget; write e.g. max_share=40%.",
            f"“{text}”不是有效的预算占比；请写成例如 max_share=40%。",
        )
    return number


def parse_ids(text: str, name: str) -> tuple[str, ...]:
    ids = tuple(dict.fromkeys(i.strip() for i in re.split(r"[,，]", text) if i.strip()))
    bad = next((i for i in ids if not re.fullmatch(r"[0-9A-Za-z_.\-]{1,64}", i)), None)
    if bad is not None:
        raise _error(
            bad,
            f"“{bad}” in {name}= is not a creator id; use star ids separated by commas.",
            f"{name}= 中的“{bad}”不是达人 ID；请用逗号分隔星图 ID。",
        )
    return ids


def parse_yes_no(text: str) -> bool:
    value = text.strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise _error(text, f"“{text}”: answer yes or no.", f"“{text}”：请填 yes 或 no。")
