"""TikHub spend and the monthly budget, through the real app against the fake TikHub and fake Slack:
every billed call is charged to the workspace, user and feature; searches warn from 80 % of the
budget; at 100 % paid calls stop with a clear message while cached answers still serve; last
month's spend does not count; only admins may change the budget."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from slack_bolt import App

from bot.cards.errors import error_text
from bot.demo import synth_detail
from bot.errors import QueryError
from bot.i18n import tr
from bot.services import Services
from bot.settings import Settings
from bot.spend.budget import month_bounds, parse_budget_usd
from bot.spend.payer import Feature, Payer
from bot.store.spend import SpendStore
from tests.fakes.signing import USER_ID, SlackRequests
from tests.fakes.slack_api import TEAM_ID, FakeSlackApi
from tests.fakes.slack_app import SECRET, next_response
from tests.fakes.tikhub_server import FakeTikHub
from tests.test_app_commands import ack_body, all_text, as_shown

ADMIN = "U0FINANCE"


@pytest.fixture
def tikhub() -> Iterator[FakeTikHub]:
    with FakeTikHub() as fake:
        yield fake.serve_details()


@pytest.fixture
def settings(slack: FakeSlackApi, tikhub: FakeTikHub) -> Settings:
    return tikhub.settings(
        slack_bot_token="xoxb-spend-suite",
        slack_signing_secret=SECRET,
        slack_api_url=slack.api_url,
        tikhub_max_retries=0,
        kolbot_monthly_budget_usd=0.05,  # 2.5 calls at $0.02
        kolbot_admins=f"{ADMIN}, U0OTHER",
    )


def search(app: App, slack: FakeSlackApi, requests: SlackRequests, text: str) -> dict:
    return next_response(app, slack, requests.command(text))


def spent(services: Services, feature: Feature | None = None) -> float:
    usage = services.budget.usage(TEAM_ID)
    if feature is None:
        return round(usage.status.spent_usd, 6)
    return round(sum(line.cost_usd for line in usage.by_feature if line.key == feature.value), 6)


def test_paid_calls_are_charged_to_the_workspace_user_and_feature(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests, services: Services, tikhub: FakeTikHub
) -> None:
    search(app, slack, slack_requests, "护肤 pages=2")
    assert tikhub.calls == 2 and spent(services, Feature.SEARCH) == 0.04
    [mine] = services.budget.usage(TEAM_ID).by_user
    assert (mine.key, mine.calls, mine.cost_usd) == (USER_ID, 2, pytest.approx(0.04))
    search(app, slack, slack_requests, "护肤 pages=2")  # cached: free
    assert tikhub.calls == 2 and spent(services) == 0.04
    usage = ack_body(app.dispatch(slack_requests.command("usage").bolt()))
    shown = as_shown(all_text(usage))
    assert f"<@{USER_ID}>" in shown and "$0.04 of $0.05 (80 %)" in shown and "Searches" in shown
    refused = as_shown(all_text(ack_body(app.dispatch(slack_requests.command("usage 2020-13").bolt()))))
    assert "`usage` takes nothing after it: “2020-13”" in refused and "this month's TikHub spend" in refused


def test_deep_dives_and_digests_are_charged_to_their_feature(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests, services: Services
) -> None:
    services.budget._store.set_budget(TEAM_ID, None, ADMIN, datetime.now(UTC))  # no cap for this one
    star_id = synth_detail.demo_star_ids()[0]
    assert app.dispatch(slack_requests.command(f"show {star_id}").bolt()).status == 200
    slack.wait_for_calls("chat.postMessage")
    assert spent(services, Feature.DEEP_DIVE) == 0.16  # 8 routes, each fetched in the service's pool
    detail = services.digests.add(TEAM_ID, "C0DIGEST", ADMIN, '"美妆" daily 09:30 pages=1', "en")
    services.digests.run_now(TEAM_ID, detail.digest.short_id, request=uuid4().hex)
    by_user = {line.key: line.cost_usd for line in services.budget.usage(TEAM_ID).by_user}
    assert spent(services, Feature.DIGESTS) == 0.02 and by_user[ADMIN] == pytest.approx(0.02)


def test_searches_warn_at_80_percent_and_stop_at_100_while_the_cache_serves(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests, services: Services, tikhub: FakeTikHub
) -> None:
    first = search(app, slack, slack_requests, "护肤 pages=2")  # $0.04 of $0.05
    assert "⚠️ 本月 TikHub 花费：$0.04 / $0.05（80%）" in all_text(first)
    search(app, slack, slack_requests, "美妆 pages=1")  # $0.06: over
    assert tikhub.calls == 3
    refused = search(app, slack, slack_requests, "母婴 pages=1 lang=en")
    assert tikhub.calls == 3  # refused before the call
    assert "used its TikHub budget" in refused["text"] and "budget <usd>" in as_shown(refused["text"])
    assert refused["response_type"] == "ephemeral"
    zh = search(app, slack, slack_requests, "美食 pages=1")
    assert "预算已用完" in zh["text"] and tikhub.calls == 3
    cached = search(app, slack, slack_requests, "护肤 pages=2")  # the cache still serves
    assert tikhub.calls == 3 and cached["response_type"] == "in_channel"
    assert "⛔" in all_text(cached)
    assert spent(services) == 0.06


def test_last_months_spend_does_not_count_this_month(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests, services: Services, tikhub: FakeTikHub
) -> None:
    start, _ = month_bounds(datetime.now(UTC))
    store: SpendStore = services.budget._store
    store.add(Payer(TEAM_ID, USER_ID, Feature.SEARCH), 50, 1.0, start - timedelta(seconds=1))
    assert services.budget.status(TEAM_ID).spent_usd == 0
    search(app, slack, slack_requests, "护肤 pages=1")
    assert tikhub.calls == 1
    store.add(Payer(TEAM_ID, USER_ID, Feature.SEARCH), 50, 1.0, start)  # this month: over
    assert "used its TikHub budget" in search(app, slack, slack_requests, "美妆 lang=en")["text"]


def test_month_bounds_turn_over_the_year() -> None:
    start, end = month_bounds(datetime(2026, 12, 31, 23, 59, tzinfo=UTC))
    assert (start, end) == (datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))


def test_only_admins_change_the_budget(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests, services: Services, tikhub: FakeTikHub
) -> None:
    refused = next_response(app, slack, slack_requests.command("budget 100"))
    assert "Only kolbot admins" in refused["text"] and services.budget.budget_usd(TEAM_ID) == 0.05
    admin = SlackRequests(SECRET, response_url=slack.response_url("admin"), user_id=ADMIN)
    bad = next_response(app, slack, admin.command("budget lots"))
    assert "lots" in bad["text"] and "budget 50" in bad["text"]
    saved = next_response(app, slack, admin.command("budget $1.50"))
    assert "Saved" in saved["text"] and services.budget.budget_usd(TEAM_ID) == 1.5
    shown = ack_body(app.dispatch(slack_requests.command("budget").bolt()))  # anyone may look
    assert "$1.50" in all_text(shown)
    slack.on("users.info", lambda fake, body: {"ok": True, "user": {"id": body["user"], "is_admin": True}})
    owner = next_response(app, slack, slack_requests.command("接口预算 off"))
    assert "已保存" in owner["text"] and services.budget.budget_usd(TEAM_ID) is None
    search(app, slack, slack_requests, "护肤 pages=3")
    assert "⚠️" not in all_text(search(app, slack, slack_requests, "护肤 pages=3"))


def test_budget_settings_read_forgivingly() -> None:
    assert Settings(_env_file=None, kolbot_monthly_budget_usd=" ").kolbot_monthly_budget_usd is None
    assert Settings(_env_file=None, kolbot_admins="U1, U2 ,").admin_ids == {"U1", "U2"}


@pytest.mark.parametrize(
    ("text", "usd"),
    [("50", 50.0), ("$12.5", 12.5), ("20 usd", 20.0), ("30美元", 30.0), ("off", None), ("关闭", None)],
)
def test_budget_amounts(text: str, usd: float | None) -> None:
    assert parse_budget_usd(text) == usd


@pytest.mark.parametrize("text", ["-5", "lots", "5万", "$", "5 10"])
def test_bad_budget_amounts_name_the_problem(text: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_budget_usd(text)
    assert text in tr("en", caught.value.what) and "/kol budget 50" in error_text(caught.value, "en")


def test_the_budget_notice_puts_each_sentence_on_its_own_line() -> None:
    """zh sentences end in 。: no half-width space after one."""
    from datetime import UTC, datetime

    from bot.cards.spend_views import budget_message
    from bot.spend.budget import BudgetStatus

    status = BudgetStatus(0.0, None, datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    text = budget_message(status, "zh", changed=True).to_dict()["text"]
    assert "。 " not in text and "已保存。" in text


def test_yusuan_is_a_campaign_budget_not_the_tikhub_cap(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests, services: Services
) -> None:
    """To a Chinese marketer 预算 is the campaign's budget in yuan: `/kol 预算 20000` set the
    workspace's TikHub cap to $20,000 (an admin's) or was refused as "not a dollar amount"."""
    before = services.budget.budget_usd(TEAM_ID)
    assert app.dispatch(slack_requests.command("预算 20万 护肤").bolt()).status == 200
    [plan] = slack.wait_for_calls("chat.postMessage")
    assert "¥20万" in all_text(plan.body) and "护肤" in all_text(plan.body)
    assert services.budget.budget_usd(TEAM_ID) == before
