"""The search form modal and the line that teaches its grammar on the results card."""

from __future__ import annotations

from typing import Any

from bot.cards.env import mrkdwn
from bot.cards.render import SlackMessage, render_view
from bot.cards.validate import MAX_SECTION_TEXT
from bot.i18n import tr
from bot.models import Lang
from bot.search_form import FOLLOWER_BRACKETS, tag_groups

MODAL_CALLBACK = "kol_search_form"

_DURATIONS = [("1-20", "1–20 s · 1-20秒"), ("21-60", "21–60 s · 21-60秒"), ("60+", "60 s+ · 60秒以上")]
_GOALS = [
    ("awareness", "Awareness · 品牌曝光"),
    ("seeding", "Seeding · 破圈种草"),
    ("conversion", "Conversion · 行动转化"),
]
_GENDERS = [("female", "Female · 女"), ("male", "Male · 男")]
_SORTS = [
    ("score", "Score · 综合"),
    ("cpm", "CPM, cheapest · 最低 CPM"),
    ("cpe", "CPE, cheapest · 最低 CPE"),
    ("price", "Price, cheapest · 最低报价"),
    ("followers", "Followers · 粉丝最多"),
    ("er", "Interaction rate · 互动率最高"),
    ("growth", "Follower growth · 涨粉最快"),
]


def _field(block: str, kind: str, label: str, **extra: Any) -> dict[str, Any]:
    return {
        "block": block,
        "kind": kind,
        "label": label,
        "optional": True,
        "hint": "",
        "initial": None,
        **extra,
    }


def _fields(pick_channel: bool) -> list[dict[str, Any]]:
    fields = [
        _field("keyword", "text", "Keyword · 关键词", placeholder="护肤 / skincare", optional=False),
        _field(
            "followers",
            "select",
            "Followers · 粉丝量",
            options=[(v, label) for v, label, _ in FOLLOWER_BRACKETS],
        ),
        _field(
            "followers_custom",
            "text",
            "…or a custom range · 或自定义区间",
            placeholder="20w-80w",
            hint="e.g. 20w-80w, or 30w+ for at least · 例如 20w-80w，或 30w+ 表示以上",
        ),
        _field("duration", "select", "Video length · 视频时长", options=_DURATIONS, initial=_DURATIONS[1]),
        _field(
            "max_price",
            "text",
            "Max price for that length (yuan) · 该时长最高报价（元）",
            placeholder="5000 / 2万",
        ),
        _field("max_cpm", "text", "Max CPM (¥ per 1,000 plays) · 最高 CPM", placeholder="60"),
        _field("max_cpe", "text", "Max CPE (¥ per engagement) · 最高 CPE", placeholder="2"),
        _field("min_er", "text", "Min interaction rate (%) · 最低互动率", placeholder="3%"),
        _field("goal", "select", "Goal · 目标", options=_GOALS, initial=_GOALS[1]),
        _field("tags", "multi", "Xingtu tags (any of) · 星图标签（满足其一）", groups=tag_groups()),
        _field(
            "region",
            "text",
            "Region · 地区",
            placeholder="上海, 浙江",
            hint="Cities or provinces, comma-separated · 城市或省份，用逗号分隔",
        ),
        _field("gender", "select", "Creator gender · 达人性别", options=_GENDERS),
        _field("sort", "select", "Sort by · 排序", options=_SORTS, initial=_SORTS[0]),
    ]
    if pick_channel:
        fields.insert(0, _field("channel", "channel", "Post results in · 结果发到", optional=False))
    return fields


def search_form_modal(metadata: str, *, pick_channel: bool) -> dict[str, Any] | None:
    """The modal view (None, logged, if it fails to render); `pick_channel` adds a conversation
    picker whose answer carries a response_url (the global shortcut has no channel of its own)."""
    return render_view("search_form_modal.json.j2", {"metadata": metadata, "fields": _fields(pick_channel)})


def with_notes(message: SlackMessage, notes: list[str]) -> SlackMessage:
    """`message` with each note (mrkdwn) as a context block under its first block."""
    if not notes:
        return message
    if not message.blocks:
        return SlackMessage(text="\n".join([message.text, *notes]), blocks=[])
    extra = [
        {"type": "context", "elements": [{"type": "mrkdwn", "text": n[:MAX_SECTION_TEXT]}]} for n in notes
    ]
    return SlackMessage(text=message.text, blocks=[message.blocks[0], *extra, *message.blocks[1:]])


def equivalent_query_note(command: str, text: str, lang: Lang) -> str:
    """ "Same as typing `/kol 护肤 followers>=10w …`" for a search made with the form."""
    line = f"`{mrkdwn(command)} {mrkdwn(text)}`"
    return tr(lang, "📝 Same search, typed: %(line)s", line=line)
