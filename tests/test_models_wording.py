"""The Text forms of the query model's words read exactly as the per-language methods they replace."""

from __future__ import annotations

import pytest

from bot.audience import parse_audience_targets
from bot.i18n import tr
from bot.models import VIDEO_TYPE_LABELS, Price, video_type_label

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


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("target", TARGETS, ids=lambda t: f"{t.kind}")
def test_target_wording_reads_as_describe_and_label(target, lang) -> None:
    assert tr(lang, target.wording()) == target.describe(lang)
    assert tr(lang, target.short_wording()) == target.label(lang)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("video_type", [*VIDEO_TYPE_LABELS, 7])
def test_video_type_label_reads_as_the_label_table(video_type, lang) -> None:
    price = Price(video_type=video_type, yuan=1.0)
    assert tr(lang, video_type_label(video_type)) == (price.label_zh if lang == "zh" else price.label_en)
