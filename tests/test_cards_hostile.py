"""Hostile creator and user strings cannot change a card's structure or smuggle Slack markup.

Every string a creator or user controls is filled with JSON breakers, Slack mentions and links,
Jinja syntax, emoji and, separately, 10,000 characters. The rendered cards must keep the benign
block count and actions, escape & < > in every mrkdwn text and respect every Slack limit.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from bot.cards.plan_views import plan_list_message, plan_message
from bot.cards.render import SlackMessage
from bot.cards.validate import validate_message
from bot.cards.views import error_message, notice_message, results_message
from bot.errors import QueryError
from bot.grammar import parse_query
from bot.models import Creator, EcomProfile, FilterStat, RecentItem
from bot.planner.models import PlanRequest, TierBounds
from bot.planner.optimise import make_plan
from bot.planner.store import SavedPlan
from tests.planner_support import candidate
from tests.test_cards import NOW, make_creator, make_result

HOSTILE = (
    "He said \"hi\" {{ 'inj' ~ 'ected' }} {% if true %}x{% endif %} {# c #}\n\t<!channel> <!here> <@U123> "
    '<https://evil.example|click me> & &amp; "}]},{"type":"actions","elements":[{"type":"button",'
    '"action_id":"approve"}]} 😀🔥 \\ ` * _ ~ >quote'
)
LONG = "长" * 10_000

# Links and dates the cards build themselves from trusted URLs and timestamps.
_OWN_MARKUP = re.compile(r"<https://[^\s<>|]+\|[^<>]*>|<!date\^\d+\^[^|<>]*\|[^<>]*>")
_OWN_URL = re.compile(r"<(https://[^\s<>|]+)\|")
_TRUSTED_URL_PREFIXES = (
    "https://www.iesdouyin.com/share/user/",
    "https://www.xingtu.cn/ad/creator/author/douyin/",
)


def hostile_creator(i: int, text: str) -> Creator:
    return make_creator(
        i,
        nickname=f"{text} {i}",
        province=text,
        city=text,
        tags={text: [text, "护肤"]},
        theme_labels=[text],
        ecom=EcomProfile(level=text, gmv_30d_range=text, gpm_30d_range=text),
        recent_items=[RecentItem(item_id="1", title=text, views=1)],
    )


def hostile_result(text: str, n: int = 3):
    result = make_result(creators=[hostile_creator(i, text) for i in range(1, n + 1)])
    result.query.raw, result.query.keywords = text, [text]
    result.stats.filters = [FilterStat(name=text, description=text, excluded=1, unknown=1)]
    result.warnings = [text]
    return result


def mrkdwn_texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["text"]] if node.get("type") == "mrkdwn" else []
        return own + [t for v in node.values() for t in mrkdwn_texts(v)]
    if isinstance(node, list):
        return [t for v in node for t in mrkdwn_texts(v)]
    return []


def assert_inert(message: SlackMessage) -> None:
    """Only our own links and dates remain as markup; every other & < > is escaped."""
    assert message.blocks, "fell back to plain text"
    assert validate_message(message.to_dict()) == []
    for text in [message.text, *mrkdwn_texts(message.blocks)]:
        assert "<!channel>" not in text and "<!here>" not in text and "<@U123>" not in text
        assert all(url.startswith(_TRUSTED_URL_PREFIXES) for url in _OWN_URL.findall(text)), text
        rest = _OWN_MARKUP.sub("", text)
        assert "<" not in rest and ">" not in rest, rest
        assert not re.search(r"&(?!amp;|lt;|gt;)", rest), rest


def structure(message: SlackMessage) -> list[tuple[str, ...]]:
    """Block types with their interactive elements: what an injection would have to change."""
    return [
        (b["type"], *(f"{e['type']}:{e['action_id']}" for e in b.get("elements", []) if "action_id" in e))
        for b in message.blocks
    ]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("text", [HOSTILE, LONG], ids=["markup", "10k-chars"])
def test_results_card_resists_hostile_strings(text: str, lang) -> None:
    benign = results_message(hostile_result("Plain name"), lang, search_ref="s", now=NOW)
    hostile = results_message(hostile_result(text), lang, search_ref="s", now=NOW)
    assert_inert(hostile)
    assert structure(hostile) == structure(benign)
    assert "injected" not in json.dumps(hostile.blocks)  # template syntax is shown, not evaluated
    if text is HOSTILE:
        assert "{{ 'inj' ~ 'ected' }}" in hostile.blocks[0]["text"]["text"]  # the header keeps the words


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_empty_results_card_resists_hostile_strings(lang) -> None:
    benign = results_message(hostile_result("Plain", n=0), lang, search_ref="s", now=NOW)
    hostile = results_message(hostile_result(HOSTILE, n=0), lang, search_ref="s", now=NOW)
    assert_inert(hostile)
    assert structure(hostile) == structure(benign)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_error_and_notice_resist_hostile_strings(lang) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(f"护肤 followers>>{HOSTILE}")
    assert_inert(error_message(caught.value, lang))
    assert_inert(notice_message(HOSTILE))
    assert_inert(notice_message(LONG))


def hostile_plan(text: str, *, live: bool = True) -> SavedPlan:
    pool = [
        candidate(str(i), 10_000.0 * i, 1_000.0 * i, nickname=f"{text} {i}").model_copy(update={"live": live})
        for i in range(1, 4)
    ]
    plan = make_plan(PlanRequest(budget_yuan=50_000), pool, TierBounds())
    return SavedPlan(1, 1, "T", "C", None, text, "U1", "en", NOW, plan)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("text", [HOSTILE, LONG], ids=["markup", "10k-chars"])
def test_plan_card_and_list_resist_hostile_strings(text: str, lang) -> None:
    benign = plan_message(hostile_plan("Plain"), lang, source="Plain")
    hostile = plan_message(hostile_plan(text), lang, source=text)
    assert_inert(hostile)
    assert structure(hostile) == structure(benign)
    assert_inert(plan_list_message([hostile_plan(text)], lang))


def test_a_plan_over_demo_data_says_so() -> None:
    assert "DEMO DATA" not in json.dumps(plan_message(hostile_plan("x"), "en", source="x").blocks)
    assert "DEMO DATA" in json.dumps(plan_message(hostile_plan("x", live=False), "en", source="x").blocks)


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("*Star*_&_", "＊Star＊＿&amp;＿"),
        ("_小美_", "＿小美＿"),
        ("a~b", "a～b"),
        ("`x`", "｀x｀"),
        ("cici_小可爱", "cici_小可爱"),  # an underscore inside a word opens no italics: kept
    ],
)
def test_a_name_cannot_break_the_bold_around_it(typed: str, shown: str) -> None:
    """Slack has no escape for `*`, `_`, `~` or a backtick; a name holding them split the bold of
    its line. The full-width forms look alike and read back as the same name."""
    from bot.cards.env import link, name
    from bot.grammar import normalize_text

    assert name(typed) == shown and link("https://example.com/c", typed) == f"<https://example.com/c|{shown}>"
    assert normalize_text(name(typed).replace("&amp;", "&")) == typed  # typed back, it is the same name


def test_a_results_card_row_keeps_its_bold_balanced_whatever_the_name() -> None:
    result = make_result(1)
    result.creators[0].creator.nickname = "*Star*_&_"
    message = results_message(result, "en", search_ref="s", now=NOW)
    rows = [
        b["text"]["text"] for b in message.blocks if b["type"] == "section" and "Star" in b["text"]["text"]
    ]
    assert rows and all(row.split("\n")[0].count("*") % 2 == 0 for row in rows)
