"""Audience screen core: targets in Chinese, statuses, order and the cost plan (issue 11 §5)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.audience import parse_audience_targets
from bot.deepdive.models import Distribution, DistributionKind, Portrait
from bot.deepdive.service import DeepDiveService
from bot.errors import QueryError
from bot.grammar import parse_query
from bot.i18n import tr
from bot.models import Creator, ScoredCreator, SearchResult, SearchStats, TargetKind
from bot.screen import AudienceScreen, ScreenStatus, screen_targets
from bot.sources.tikhub import Fetched


def portrait(female: float, young: float, tier2: float) -> dict[str, Any]:
    def dist(kind: int, pairs: dict[str, float]) -> dict[str, Any]:
        items = [{"distribution_key": k, "distribution_value": str(int(v * 1000))} for k, v in pairs.items()]
        return {"type": kind, "distribution_list": items}

    return {
        "base_resp": {"status_code": 0},
        "distributions": [
            dist(1, {"female": female, "male": 1 - female}),
            dist(2, {"18-23": young, "31-40": 1 - young}),
            dist(32, {"二线": tier2, "一线": 1 - tier2}),
        ],
    }


class Client:
    """A deep-dive JSON client with fixed portraits; ids in `cached` cost nothing."""

    def __init__(self, portraits: dict[str, dict | None], cached: set[str] = frozenset()) -> None:
        self.portraits, self.cached, self.asked = portraits, cached, []

    def get_json(self, route: str, params: dict[str, str], *, ttl_s: float | None = None) -> Fetched:
        star_id = params["kolId"]
        self.asked.append(star_id)
        data = self.portraits[star_id] or {"base_resp": {"status_code": 0}, "distributions": []}
        free = star_id in self.cached
        return Fetched(
            {"code": 200, "data": data}, 0 if free else 1, 0.0 if free else 0.02, free, datetime.now(UTC)
        )

    def is_cached(self, route: str, params: dict[str, str]) -> bool:
        return params["kolId"] in self.cached


def result(star_ids: list[str], text: str) -> SearchResult:
    creators = [
        ScoredCreator(creator=Creator(star_id=s, nickname=s), score=50, rank=i)
        for i, s in enumerate(star_ids)
    ]
    return SearchResult(query=parse_query(text), creators=creators, stats=SearchStats())


TEXT = "护肤 受众性别=女>=70% 受众年龄=18-23>=40% 受众城市=二线>=20%"


def test_chinese_aliases_and_tier_words() -> None:
    targets = parse_query(TEXT + " 筛查=30").audience
    assert [t.kind for t in targets.targets] == [TargetKind.GENDER, TargetKind.AGE, TargetKind.CITY_TIER]
    assert (targets.targets[2].low, targets.targets[2].high, targets.screen) == (2.0, 2.0, 30)
    assert [tr("zh", t.short_wording()) for t in targets.targets] == ["女", "18–23", "二线"]
    tiers = parse_audience_targets(["受众城市=一线-二线>=40%"]).targets[0]
    assert tr("en", tiers.short_wording()) == "tier 1–2"
    assert parse_audience_targets(["audience_city_tier=新一线"]).targets[0].low == 1.5
    up = parse_query("护肤 受众城市=二线及以上>=40%").audience
    assert [(t.low, t.high, t.min_share) for t in up.targets] == [(1.0, 2.0, 0.4)]
    assert parse_audience_targets(["audience_gender=female"]).screen == 20


@pytest.mark.parametrize(
    ("token", "message"), [("screen=51", "1 to 50"), ("受众城市=二线-一线", "higher to lower")]
)
def test_bad_screen_tokens_name_themselves(token: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(f"护肤 受众性别=女 {token}")
    assert message in tr("en", caught.value.what) and tr("zh", caught.value.what)


def test_no_targets_no_screen() -> None:
    assert screen_targets(parse_query("护肤 screen=5")) is None


def test_statuses_and_order() -> None:
    client = Client(
        {
            "miss_far": portrait(0.3, 0.2, 0.1),
            "none": None,  # no portrait
            "match": portrait(0.8, 0.5, 0.3),
            "miss_near": portrait(0.75, 0.35, 0.3),
            "match2": portrait(0.9, 0.6, 0.25),
        }
    )
    res = AudienceScreen(DeepDiveService(client)).run(
        result(list(client.portraits), TEXT), screen_targets(parse_query(TEXT))
    )
    assert [(r.scored.creator.star_id, r.status) for r in res.rows] == [
        ("match", ScreenStatus.MATCH),
        ("match2", ScreenStatus.MATCH),
        ("none", ScreenStatus.UNKNOWN),
        ("miss_near", ScreenStatus.MISS),
        ("miss_far", ScreenStatus.MISS),
    ]
    assert res.count(ScreenStatus.MATCH) == 2 and res.screened == 5
    assert res.cost_usd == pytest.approx(0.10) and res.upstream_calls == 5


def test_a_portrait_missing_one_distribution_is_unknown_not_a_match() -> None:
    partial = portrait(0.9, 0.9, 0.9)
    partial["distributions"] = partial["distributions"][:2]  # no city tiers
    client = Client({"a": partial})
    res = AudienceScreen(DeepDiveService(client)).run(result(["a"], TEXT), screen_targets(parse_query(TEXT)))
    assert res.rows[0].status is ScreenStatus.UNKNOWN


def test_the_plan_prices_only_uncached_portraits_and_stops_at_screen() -> None:
    ids = [f"c{i}" for i in range(30)]
    client = Client(dict.fromkeys(ids, portrait(0.8, 0.5, 0.3)), cached={"c0", "c1", "c2"})
    screen = AudienceScreen(DeepDiveService(client))
    plan = screen.plan(result(ids, TEXT + " screen=12"), screen_targets(parse_query(TEXT + " screen=12")))
    assert len(plan.star_ids) == 12 and plan.unpaid == 9 and plan.cost_usd == pytest.approx(0.18)
    assert client.asked == []  # planning pays nothing
    assert not plan.needs_confirm(0.20) and plan.needs_confirm(0.10)
    assert not plan.model_copy(update={"cost_usd": 0.2}).needs_confirm(0.20)  # at the limit: runs


def test_portrait_parsing_is_the_deep_dives() -> None:
    dist = Distribution(kind=DistributionKind.GENDER, counts={"female": 3, "male": 1})
    assert (
        Portrait(distributions={DistributionKind.GENDER: dist})
        .get(DistributionKind.GENDER)
        .shares()["female"]
        == 0.75
    )
