"""Audience screen cards: golden files in both languages, and the hostile-name and size limits."""

from __future__ import annotations

import json

import pytest

from bot.audience import parse_audience_targets
from bot.cards.screen_views import MAX_SCREEN_ROWS, screen_message, screen_prompt_message
from bot.cards.validate import validate_message
from bot.deepdive.audience import FitStatus, TargetFit, audience_fit
from bot.deepdive.models import Distribution, DistributionKind, Portrait
from bot.models import Creator, ScoredCreator
from bot.screen import ScreenPlan, ScreenResult, ScreenRow, ScreenStatus
from tests.test_cards import assert_golden

TARGETS = parse_audience_targets(["受众性别=女>=70%", "受众年龄=18-23>=30%", "受众城市=二线>=20%"])


def portrait(female: float, young: float, tier2: float) -> Portrait:
    def dist(kind: DistributionKind, counts: dict[str, float]) -> Distribution:
        return Distribution(kind=kind, counts=counts)

    return Portrait(
        distributions={
            DistributionKind.GENDER: dist(DistributionKind.GENDER, {"female": female, "male": 1 - female}),
            DistributionKind.AGE: dist(DistributionKind.AGE, {"18-23": young, "31-40": 1 - young}),
            DistributionKind.CITY_TIER: dist(DistributionKind.CITY_TIER, {"二线": tier2, "一线": 1 - tier2}),
        }
    )


def row(
    star_id: str, name: str, status: ScreenStatus, p: Portrait | None, reason: str | None = None
) -> ScreenRow:
    scored = ScoredCreator(creator=Creator(star_id=star_id, nickname=name, douyin_uid="12345678"), score=70)
    return ScreenRow(scored=scored, status=status, fit=audience_fit(p, TARGETS) if p else None, reason=reason)


RESULT = ScreenResult(
    targets=TARGETS,
    rows=[
        row("7000000000000000001", "小桃护肤日记", ScreenStatus.MATCH, portrait(0.74, 0.41, 0.22)),
        row("7000000000000000002", "阿糖的梳妆台", ScreenStatus.UNKNOWN, None, "refused"),
        row("7000000000000000003", "半夏成分研究所", ScreenStatus.MISS, portrait(0.82, 0.3, 0.16)),
    ],
    calls=3,
    upstream_calls=2,
    cache_hits=1,
    cost_usd=0.04,
)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_screen_golden(lang: str) -> None:
    assert_golden(
        f"audience_screen_{lang}", screen_message(RESULT, lang, keyword="护肤", search_ref="ref123")
    )


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_screen_prompt_golden(lang: str) -> None:
    plan = ScreenPlan(star_ids=[f"7{i:018d}" for i in range(20)], unpaid=17, cost_usd=0.34)
    message = screen_prompt_message(plan, TARGETS, lang, keyword="护肤", search_ref="ref123")
    assert_golden(f"audience_screen_prompt_{lang}", message)


def test_a_row_reads_like_the_issue_example() -> None:
    text = json.dumps(screen_message(RESULT, "zh", keyword="护肤", search_ref="r").blocks, ensure_ascii=False)
    assert "女 74% ✅ · 18–23 41% ✅ · 二线 22% ✅" in text
    assert "二线 16% ❌" in text and "无受众画像（星图未提供）" in text


def test_hostile_names_and_fifty_rows_stay_valid() -> None:
    hostile = row(
        "7000000000000000009", "<!channel> *bold* & `code`" * 20, ScreenStatus.MATCH, portrait(0.9, 0.5, 0.3)
    )
    many = RESULT.model_copy(update={"rows": [hostile] * 50})
    message = screen_message(many, "en", keyword="<@U1> & co" * 30, search_ref="r")
    assert message.blocks and validate_message(message.to_dict()) == []
    text = json.dumps(message.blocks, ensure_ascii=False)
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    assert (
        sum(b.get("accessory", {}).get("action_id") == "kol_details" for b in message.blocks)
        == MAX_SCREEN_ROWS
    )
    assert "30 more screened creators not shown" in text


def test_a_target_without_data_says_so() -> None:
    fit = audience_fit(portrait(0.8, 0.5, 0.3), TARGETS)
    fit.fits[2] = TargetFit(target=TARGETS.targets[2], share=None, status=FitStatus.UNKNOWN)
    unknown = RESULT.rows[0].model_copy(update={"status": ScreenStatus.UNKNOWN, "fit": fit})
    text = json.dumps(
        screen_message(
            RESULT.model_copy(update={"rows": [unknown]}), "en", keyword="k", search_ref="r"
        ).blocks
    )
    assert "tier 2 no data \\u2754" in text


def test_when_nobody_matches_the_card_says_which_target_stops_them_and_how_close() -> None:
    """The default 50 % of a city tier is rarely met: the user sees the best share and what to ask."""
    misses = [
        row("7000000000000000003", "半夏成分研究所", ScreenStatus.MISS, portrait(0.82, 0.3, 0.16)),
        row("7000000000000000004", "桃桃", ScreenStatus.MISS, portrait(0.65, 0.4, 0.18)),
    ]
    nobody = RESULT.model_copy(update={"rows": misses})
    en = json.dumps(screen_message(nobody, "en", keyword="k", search_ref="r").blocks, ensure_ascii=False)
    assert "Nobody screened reaches tier 2 (asked ≥20%, highest 18%: try `&gt;=15%`)." in en  # 18–23: met
    zh = json.dumps(screen_message(nobody, "zh", keyword="k", search_ref="r").blocks, ensure_ascii=False)
    assert "没有人达到：二线（要求 ≥20%，最高 18%，可改为 `&gt;=15%`）" in zh
    apart = [misses[0], row("7000000000000000005", "小鹿", ScreenStatus.MISS, portrait(0.5, 0.1, 0.3))]
    each = json.dumps(
        screen_message(nobody.model_copy(update={"rows": apart}), "en", keyword="k", search_ref="r").blocks
    )
    assert "though someone meets each" in each
    someone = json.dumps(screen_message(RESULT, "en", keyword="k", search_ref="r").blocks)
    assert "Nobody screened" not in someone
