"""The query model's words: audience targets and price-list names, in both languages."""

from __future__ import annotations

import pytest

from bot.audience import parse_audience_targets
from bot.i18n import tr
from bot.models import Price, video_type_label

TARGETS = (
    parse_audience_targets(
        [
            "audience_gender=female>=70%",
            "audience_age=18-30",
            "audience_city_tier=1-2>=40%",
        ]
    ).targets
    + parse_audience_targets(["audience_gender=male", "audience_age=25", "audience_city_tier=二线"]).targets
)
# (wording en, wording zh, short en, short zh), as the cards have always shown them
WORDS = [
    ("female ≥70%", "女性 ≥70%", "female", "女"),
    ("age 18-30 ≥50%", "18-30岁 ≥50%", "18–30", "18–30"),
    ("city tier 1-2 ≥40%", "一线–二线城市 ≥40%", "tier 1–2", "一线–二线"),
    ("male ≥50%", "男性 ≥50%", "male", "男"),
    ("age 25 ≥50%", "25岁 ≥50%", "25", "25"),
    ("city tier 2 ≥50%", "二线城市 ≥50%", "tier 2", "二线"),
]


@pytest.mark.parametrize(
    ("target", "words"), list(zip(TARGETS, WORDS, strict=True)), ids=lambda x: str(x)[:20]
)
def test_a_target_reads_the_same_in_both_languages_as_it_always_did(target, words) -> None:
    wording = (tr("en", target.wording()), tr("zh", target.wording()))
    short = (tr("en", target.short_wording()), tr("zh", target.short_wording()))
    assert (*wording, *short) == words


@pytest.mark.parametrize(
    ("video_type", "en", "zh"),
    [
        (1, "1–20 s video", "1-20秒视频"),
        (2, "21–60 s video", "21-60秒视频"),
        (71, "60 s+ video", "60秒以上视频"),
        (92, "CPM settlement (per 1,000 natural plays)", "按自然播放量结算"),
        (105, "Ad-platform licence, download", "广告平台下载授权"),
        (7, "Video type 7", "视频类型 7"),
    ],
)
def test_a_price_list_entry_is_named_in_both_languages(video_type, en, zh) -> None:
    label = Price(video_type=video_type, yuan=1.0).wording()
    assert (tr("en", label), tr("zh", label)) == (en, zh) == (tr("en", video_type_label(video_type)), zh)
