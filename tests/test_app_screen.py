"""The audience screen through signed Slack requests, against the fake TikHub's portrait route (§5)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import App

from bot.demo import synth_detail
from bot.services import Services, build_services
from handlers.actions.screen import offer_screen
from handlers.app import build_app
from handlers.delivery import send_results
from tests.fakes.signing import SlackRequests
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_app import slack_values
from tests.fakes.tikhub_server import FakeTikHub, Fault
from tests.test_app_actions import element

PORTRAIT = synth_detail.AUDIENCE
TARGETS = "受众性别=女>=70% 受众年龄=18-30"


class Portraits:
    """The fake's portrait route: synthetic portraits, none for the ids in `missing`."""

    def __init__(self) -> None:
        self.missing: set[str] = set()

    def __call__(self, params: dict[str, str]) -> dict[str, Any]:
        if params["kolId"] in self.missing:
            return {"base_resp": {"status_code": 0, "status_message": ""}, "distributions": []}
        return synth_detail.detail_data(PORTRAIT, params)


@pytest.fixture
def portraits() -> Portraits:
    return Portraits()


@pytest.fixture
def tikhub(portraits: Portraits) -> Iterator[FakeTikHub]:
    with FakeTikHub() as fake:
        fake.add_route(PORTRAIT, portraits)
        yield fake


@pytest.fixture
def live(slack: FakeSlackApi, tikhub: FakeTikHub) -> Iterator[tuple[App, Services]]:
    settings = tikhub.settings(**slack_values(slack, tikhub_max_retries=0, kolbot_tikhub_qps=1000))
    services = build_services(settings)
    yield build_app(settings, services=services), services
    services.close()


def portrait_calls(tikhub: FakeTikHub) -> list[str]:
    return [r.params["kolId"] for r in tikhub.requests if r.route == PORTRAIT]


def text_of(body: dict[str, Any]) -> str:
    return json.dumps(body.get("blocks") or body.get("text"), ensure_ascii=False)


def command(app: App, slack: FakeSlackApi, requests: SlackRequests, text: str, replies: int) -> list[dict]:
    before = len(slack.responses())
    assert app.dispatch(requests.command(text).bolt()).status == 200
    return [c.body for c in slack.wait_for_calls("response", before + replies)[before:]]


def click(app: App, slack: FakeSlackApi, requests: SlackRequests, action: dict, message: dict) -> dict:
    before = len(slack.responses())
    assert app.dispatch(requests.block_action(action, message=message).bolt()).status == 200
    return slack.wait_for_calls("response", before + 1)[before].body


def screened_rows(card: dict[str, Any]) -> list[str]:
    return [
        b["text"]["text"] for b in card["blocks"] if b.get("accessory", {}).get("action_id") == "kol_details"
    ]


def test_a_cheap_screen_runs_at_once_and_lists_matches_first(
    live, slack: FakeSlackApi, slack_requests: SlackRequests, tikhub: FakeTikHub
) -> None:
    app, _ = live
    results, screen = command(app, slack, slack_requests, f"护肤 {TARGETS} screen=8 lang=en", replies=2)
    assert "kol_more" in text_of(results)  # the ordinary results card comes first
    assert len(portrait_calls(tikhub)) == 8  # $0.16 ≤ $0.20: no question asked
    text = text_of(screen)
    assert "Screened *8*" in text and "portrait calls: 8 ($0.16)" in text
    rows = screened_rows(screen)
    assert len(rows) == 8
    statuses = [
        "match" if "meets every target" in r else "unknown" if "unknown" in r else "miss" for r in rows
    ]
    assert statuses == sorted(statuses, key=["match", "unknown", "miss"].index)
    assert "match" in statuses
    match = rows[statuses.index("match")]
    assert "female" in match and "✅" in match and "❌" not in match
    assert f"*{statuses.count('match')}* matched" in text


def test_failed_and_missing_portraits_are_unknown_never_matches(
    live, slack: FakeSlackApi, slack_requests: SlackRequests, tikhub: FakeTikHub, portraits: Portraits
) -> None:
    app, services = live
    query = services.parse_query(f"护肤 {TARGETS} screen=4")
    top = [s.creator.star_id for s in services.search.search(query).creators[:4]]
    portraits.missing = {top[0]}
    tikhub.inject(Fault.BAD_GATEWAY, route=PORTRAIT, times=1)  # one portrait fails (502, not billed)
    _, screen = command(app, slack, slack_requests, f"护肤 {TARGETS} screen=4 lang=en", replies=2)
    rows = screened_rows(screen)
    unknown = [r for r in rows if "unknown" in r]
    assert len(unknown) >= 2 and all("no audience portrait" in r for r in unknown)
    assert any("no data" in r or "unavailable" in r or "TikHub" in r for r in unknown)
    assert "2 unknown" in text_of(screen) or "3 unknown" in text_of(screen)


def test_above_the_threshold_the_card_asks_then_screen_pays_and_replaces_it(
    live, slack: FakeSlackApi, slack_requests: SlackRequests, tikhub: FakeTikHub
) -> None:
    app, _ = live
    _, prompt = command(app, slack, slack_requests, f"护肤 {TARGETS} lang=en", replies=2)
    assert portrait_calls(tikhub) == []  # nothing paid before the click
    assert "20 paid calls: *$0.40*" in text_of(prompt)
    run = element(prompt, "kol_screen_run")
    assert run["text"]["text"] == "Screen ($0.40)" and element(prompt, "kol_screen_skip")
    screen = click(app, slack, slack_requests, run, {"ts": slack.next_ts(), **prompt})
    assert screen["replace_original"] is True
    assert len(portrait_calls(tikhub)) == 20
    assert "Screened *20*" in text_of(screen) and "$0.40" in text_of(screen)


def test_a_repeat_screen_pays_only_for_portraits_not_cached(
    live, slack: FakeSlackApi, slack_requests: SlackRequests, tikhub: FakeTikHub
) -> None:
    app, _ = live
    command(app, slack, slack_requests, f"护肤 {TARGETS} screen=10 lang=en", replies=2)  # $0.20: at the limit
    refused = [
        s for s in portrait_calls(tikhub) if synth_detail.is_refused(PORTRAIT, s)
    ]  # 10003s: not cached
    tikhub.reset()
    _, screen = command(app, slack, slack_requests, f"护肤 {TARGETS} screen=10 lang=en", replies=2)
    assert sorted(portrait_calls(tikhub)) == sorted(refused)
    assert f"portrait calls: {len(refused)}" in text_of(screen) or "portraits from cache, free" in text_of(
        screen
    )
    assert f"{10 - len(refused)} cached" in text_of(screen)


def test_skip_pays_nothing(
    live, slack: FakeSlackApi, slack_requests: SlackRequests, tikhub: FakeTikHub
) -> None:
    app, _ = live
    _, prompt = command(app, slack, slack_requests, f"护肤 {TARGETS} screen=30", replies=2)
    skipped = click(app, slack, slack_requests, element(prompt, "kol_screen_skip"), {"ts": "1.2", **prompt})
    assert skipped["replace_original"] is True and "未产生费用" in skipped["text"]
    assert portrait_calls(tikhub) == []


@pytest.mark.parametrize("text", ["护肤 pages=1", f"护肤 {TARGETS} screen=5 top=3"])
def test_no_screen_without_targets_nor_on_later_pages(live, tikhub: FakeTikHub, text: str) -> None:
    _, services = live
    query = services.parse_query(text)
    result = services.search.search(query)
    if query.audience:  # More results (#4 on, the same pages) is not screened again
        result = services.search.more(query, pages_seen=query.pages, shown=3)
    sent: list[dict] = []
    offer_screen(services, lambda **m: sent.append(m), result, "en", search_ref="r")
    assert sent == [] and portrait_calls(tikhub) == []


def test_demo_mode_screens_for_free(app: App, slack: FakeSlackApi, slack_requests: SlackRequests) -> None:
    _, screen = command(
        app, slack, slack_requests, "美妆 受众性别=女>=70% 受众年龄=18-30 受众城市=二线>=20%", replies=2
    )
    text = text_of(screen)
    assert "受众筛查" in text and "演示数据，免费" in text
    assert "女 " in text and "二线 " in text and "✅" in text


def test_re_sorting_does_not_screen_again(live, tikhub: FakeTikHub) -> None:
    _, services = live
    sent: list[dict] = []
    query = services.parse_query(f"护肤 {TARGETS} screen=3")
    send_results(services, lambda **m: sent.append(m), query, "en", ref_for=lambda: "r", replace=True)
    assert len(sent) == 1 and "kol_sort" in text_of(sent[0])  # the results card only
    assert portrait_calls(tikhub) == []
