"""Buttons and menus on the results card: details, more, sort; workspaces; double clicks."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from slack_bolt import App
from sqlalchemy.exc import OperationalError

from bot.cards.actions import ActionId, DetailsValue, PageValue, SortValue
from bot.cards.validate import validate_message
from bot.demo import synth_detail
from bot.errors import UpstreamError, UpstreamKind
from bot.models import SortKey
from bot.search import SearchService
from bot.services import Services
from bot.sources.base import PageFetch, SearchRequest
from tests.fakes.signing import SlackRequests, button, select
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_app import SECRET, CountingSource, count_pages, next_response, remember_seen


@pytest.fixture
def source(services: Services) -> CountingSource:
    return count_pages(services)


def search(app: App, slack: FakeSlackApi, slack_requests: SlackRequests, text: str) -> dict[str, Any]:
    """Run `/kol text` and return the results card as posted, with a ts like a real message."""
    card = next_response(app, slack, slack_requests.command(text))
    return {"type": "message", "ts": slack.next_ts(), **card}


def element(card: dict[str, Any], action_id: str) -> dict[str, Any]:
    for block in card["blocks"]:
        for candidate in [*block.get("elements", []), block.get("accessory") or {}]:
            if candidate.get("action_id") == action_id:
                return candidate
    raise AssertionError(f"no {action_id} in the card")


def sort_value(card: dict[str, Any], sort: str) -> str:
    options = element(card, ActionId.SORT)["options"]
    return next(o["value"] for o in options if SortValue.decode(o["value"]).sort == sort)


def ranks_on(card: dict[str, Any]) -> list[int]:
    """The rank numbers of the creators on a compact card, in card order."""
    return [
        int(m.group(1))
        for block in card["blocks"]
        if block["type"] == "section"
        for m in [re.match(r"\*(\d+)\. ", block.get("text", {}).get("text", ""))]
        if m
    ]


def test_more_continues_the_ranked_list_where_the_card_stopped(
    app: App, services: Services, slack: FakeSlackApi, slack_requests: SlackRequests, source: CountingSource
) -> None:
    """#4 on the second card is the creator ranked 4th over the same pages, with the same score."""
    card = search(app, slack, slack_requests, "护肤 pages=2 top=3 lang=en")
    whole = services.search.search(services.parse_query("护肤 pages=2"))
    more = element(card, "kol_more")
    assert PageValue.decode(more["value"]).model_dump(exclude={"search_ref"}) == {"start": 3, "shown": 3}
    result = next_response(
        app, slack, slack_requests.block_action(button("kol_more", more["value"]), message=card)
    )
    assert result["replace_original"] is False and result["response_type"] == "in_channel"
    assert ranks_on(result) == [4, 5, 6]
    assert details_on(result) == [s.creator.star_id for s in whole.creators[3:6]]
    scores = [f"{round(s.score or 0)}/100" for s in whole.creators[3:6]]
    assert all(score in json.dumps(result, ensure_ascii=False) for score in scores)
    assert set(source.pages) == {1, 2}  # the same pages (from the cache when live), nothing new
    next_more = PageValue.decode(element(result, "kol_more")["value"])
    assert (next_more.start, next_more.shown) == (3, 6)
    assert validate_message(result) == []


def test_more_fetches_the_next_pages_only_after_the_list_is_used_up(
    app: App, services: Services, slack: FakeSlackApi, slack_requests: SlackRequests, source: CountingSource
) -> None:
    card = search(app, slack, slack_requests, "护肤 pages=1 top=3 lang=en")
    first = services.search.search(services.parse_query("护肤 pages=1"))
    listed = len(first.creators)
    ref = PageValue.decode(element(card, "kol_more")["value"]).search_ref
    last = PageValue(search_ref=ref, start=2, shown=listed).encode()
    result = next_response(app, slack, slack_requests.block_action(button("kol_more", last), message=card))
    assert 2 in source.pages
    assert ranks_on(result)[0] == listed + 1
    assert not set(details_on(result)) & {s.creator.star_id for s in first.creators}
    assert f"Fetched pages 2: from #{listed + 1} on" in json.dumps(result, ensure_ascii=False)
    assert PageValue.decode(element(result, "kol_more")["value"]).start == 3


def test_more_from_a_card_posted_before_it_carried_how_many_were_shown(
    app: App, services: Services, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    card = search(app, slack, slack_requests, "护肤 pages=1 top=3 lang=en")
    ref = PageValue.decode(element(card, "kol_more")["value"]).search_ref
    older = f"v1:{ref}|2"  # search ref and first page only
    result = next_response(app, slack, slack_requests.block_action(button("kol_more", older), message=card))
    assert ranks_on(result) == [4, 5, 6]


def details_on(card: dict[str, Any]) -> list[str]:
    return [
        DetailsValue.decode(candidate["value"]).star_id
        for block in card["blocks"]
        for candidate in [*block.get("elements", []), block.get("accessory") or {}]
        if candidate.get("action_id") == "kol_details"
    ]


def test_sort_replaces_the_card_and_keeps_the_order_for_more(
    app: App, services: Services, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    card = search(app, slack, slack_requests, "护肤 pages=1 top=5 lang=en")
    value = sort_value(card, "followers")
    resorted = next_response(app, slack, slack_requests.block_action(select("kol_sort", value), message=card))
    assert resorted["replace_original"] is True
    followers = followers_on(services, resorted)
    assert followers == sorted(followers, reverse=True) and followers != followers_on(services, card)
    new_ref = PageValue.decode(element(resorted, "kol_more")["value"]).search_ref
    assert new_ref != SortValue.decode(value).search_ref

    page_2 = PageValue(search_ref=new_ref, start=2).encode()
    more = next_response(
        app, slack, slack_requests.block_action(button("kol_more", page_2), message=resorted)
    )
    assert followers_on(services, more) == sorted(followers_on(services, more), reverse=True)


def test_sorting_again_and_again_keeps_one_added_sort(
    app: App, services: Services, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    """Each re-sort is saved as a search: it used to append one more `sort=` each time, until the
    search was refused as too long (500 characters) after about fifty clicks."""
    card = search(app, slack, slack_requests, "护肤 pages=1 top=5 lang=en")
    for sort in ("followers", "cpm", "followers", "cpe"):
        value = sort_value(card, sort)
        card = next_response(app, slack, slack_requests.block_action(select("kol_sort", value), message=card))
    ref = PageValue.decode(element(card, "kol_more")["value"]).search_ref
    saved = services.searches.get(ref, "T0TEST")
    assert saved is not None and saved.raw_query == "护肤 pages=1 top=5 lang=en sort=cpe"


def test_buttons_of_a_chinese_card_whose_search_expired_answer_in_chinese(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    sort = select("kol_sort", SortValue(search_ref="nosuchref", sort=SortKey.CPM).encode(), "CPM 最低")
    answer = next_response(app, slack, slack_requests.block_action(sort))
    assert "找不到这次搜索" in answer["text"], answer["text"]
    star = synth_detail.demo_star_ids()[0]
    details = button("kol_details", DetailsValue(star_id=star, search_ref="nosuchref").encode(), "详情")
    assert app.dispatch(slack_requests.block_action(details).bolt()).status == 200
    slack.wait_for(lambda: bool(slack.calls_to("chat.postMessage")))
    card = slack.calls_to("chat.postMessage")[0].body
    assert "演示数据" in json.dumps(card, ensure_ascii=False)  # the deep-dive, in the card's language


def test_another_workspace_cannot_use_a_search_ref(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests, source: CountingSource
) -> None:
    card = search(app, slack, slack_requests, "护肤 pages=1 top=3 lang=en")
    pages_before = list(source.pages)
    more = element(card, "kol_more")["value"]
    refused = next_response(
        app, slack, slack_requests.block_action(button("kol_more", more), message=card, team_id="T0OTHER")
    )
    assert refused["response_type"] == "ephemeral"
    assert "another workspace" in refused["text"]
    sort = sort_value(card, "cpm")
    refused = next_response(
        app, slack, slack_requests.block_action(select("kol_sort", sort), message=card, team_id="T0OTHER")
    )
    assert "another workspace" in refused["text"]
    assert source.pages == pages_before


def test_double_click_runs_the_search_once(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests, source: CountingSource
) -> None:
    card = search(app, slack, slack_requests, "护肤 pages=1 top=3 lang=en")
    more = button("kol_more", element(card, "kol_more")["value"])
    next_response(app, slack, slack_requests.block_action(more, message=card))
    second = slack_requests.block_action(more, message=card)  # new trigger_id and action_ts
    assert app.dispatch(second.bolt()).status == 200
    assert app.dispatch(second.retried().bolt()).status == 200
    unknown = button("kol_more", PageValue(search_ref="nosuchref", start=2).encode())
    other = next_response(app, slack, slack_requests.block_action(unknown, message=card))
    assert "expired" in other["text"]  # later clicks are still served
    assert sorted(source.pages) == [1, 1]  # the search, then More once (the same page, cached when live)
    assert len(slack.responses()) == 3  # search, one "more", the answer to the later click


def test_a_teammate_clicking_the_same_button_is_not_a_double_click(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests, source: CountingSource
) -> None:
    card = search(app, slack, slack_requests, "护肤 pages=1 top=3 lang=en")
    more = button("kol_more", element(card, "kol_more")["value"])
    next_response(app, slack, slack_requests.block_action(more, message=card))
    teammate = SlackRequests(SECRET, response_url=slack.response_url(), user_id="U0TEAMMATE")
    next_response(app, slack, teammate.block_action(more, message=card))
    assert sorted(source.pages) == [1, 1, 1]  # the search, then each click: its own More (same page)


def test_buttons_on_an_unknown_ref_explain_instead_of_failing(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    unknown = PageValue(search_ref="nosuchref", start=2).encode()
    answer = next_response(app, slack, slack_requests.block_action(button("kol_more", unknown)))
    assert "expired" in answer["text"] and "/kol" in answer["text"]


def test_a_button_from_an_older_card_says_it_is_out_of_date(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests, source: CountingSource
) -> None:
    card = search(app, slack, slack_requests, "护肤 pages=1 top=3 lang=en")
    pages_before = list(source.pages)
    for action in (button("kol_more", "s42:2"), select("kol_sort", "s42:cpm")):
        answer = next_response(app, slack, slack_requests.block_action(action, message=card))
        assert answer["response_type"] == "ephemeral"
        assert "This button is out of date." in answer["text"]
    assert source.pages == pages_before


def test_a_button_kolbot_no_longer_has_says_it_is_out_of_date(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests, source: CountingSource
) -> None:
    """A card from an older version whose action was renamed: HTTP 200 and a word, not Bolt's 404."""
    request = slack_requests.block_action(button("kol_retired_feature", "x"))
    response = app.dispatch(request.bolt())
    assert response.status == 200
    [answer] = slack.wait_for_calls("response")
    assert answer.body["response_type"] == "ephemeral"
    assert (
        "This button is out of date." in answer.body["text"]
        and "Run the command again" in answer.body["text"]
    )
    assert source.pages == []


def followers_on(services: Services, card: dict[str, Any]) -> list[int]:
    """Follower counts of the creators on a card, in card order (from their snapshots)."""
    ids = [
        DetailsValue.decode(candidate["value"]).star_id
        for block in card["blocks"]
        for candidate in [*block.get("elements", []), block.get("accessory") or {}]
        if candidate.get("action_id") == "kol_details"
    ]
    assert ids, "card shows no creators"
    return [services.snapshots.get(i).creator.followers or 0 for i in ids]


def test_a_retired_button_on_a_chinese_card_answers_in_chinese(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    request = slack_requests.block_action(button("kol_retired_feature", "x", text="更多结果"))
    assert app.dispatch(request.bolt()).status == 200
    [answer] = slack.wait_for_calls("response")
    assert "此按钮已失效" in answer.body["text"]


def test_a_click_that_fails_before_its_listener_answers_in_the_cards_language(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests, services: Services
) -> None:
    """The last-resort answer read the language from a command's text, which a click has none of."""

    def down(*_args: Any, **_kwargs: Any) -> bool:
        raise OperationalError("SELECT", {}, Exception("database is locked"))

    services.ledger.claim_all = down  # type: ignore[method-assign]
    value = SortValue(search_ref="nope", sort=SortKey.CPM).encode()
    request = slack_requests.block_action(select("kol_sort", value, text="最低 CPM"))
    assert app.dispatch(request.bolt()).status == 200
    [answer] = slack.wait_for_calls("response")
    assert "存储" in answer.body["text"], answer.body["text"]


class FromPageTwoNoBalance(CountingSource):
    """Page 1 as the demo has it; any later page refused with TikHub's 402 (balance used up)."""

    def search_page(self, request: SearchRequest) -> PageFetch:
        if request.page >= 2:
            self.pages.append(request.page)
            raise UpstreamError(UpstreamKind.BALANCE, status=402)
        return super().search_page(request)


def test_more_whose_next_pages_all_fail_says_why_instead_of_posting_an_empty_card(
    app: App, services: Services, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    """It posted, in the channel, "Fetched pages 2: no new creator matched" with a generic note,
    and the remedy (top up the balance) was lost."""
    source = FromPageTwoNoBalance(services.source)
    services.search = SearchService(source, on_seen=remember_seen(services.snapshots, services.shortlists))
    card = search(app, slack, slack_requests, "护肤 pages=1 top=3 lang=en")
    listed = len(services.search.search(services.parse_query("护肤 pages=1")).creators)
    ref = PageValue.decode(element(card, "kol_more")["value"]).search_ref
    last = PageValue(search_ref=ref, start=2, shown=listed).encode()
    answer = next_response(app, slack, slack_requests.block_action(button("kol_more", last), message=card))
    assert 2 in source.pages and answer["response_type"] == "ephemeral"
    assert "Loading more results failed." in answer["text"] and "top up the TikHub balance" in answer["text"]
