"""Twenty teammates acting on one shortlist at once, through the real handlers (signed requests
dispatched concurrently): nothing is lost, no card is posted twice, and the parent message ends
with the exact final summary. Runs on SQLite, and on PostgreSQL when `KOLBOT_TEST_DATABASE_URL` is set."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from slack_bolt import App

from bot.cards.actions import CardValue, StatusValue
from bot.services import Services
from bot.settings import Settings
from bot.shortlists.models import ItemStatus
from tests.fakes.signing import button, select
from tests.fakes.slack_api import TEAM_ID, FakeSlackApi
from tests.fakes.slack_app import eventually, slack_settings
from tests.test_app_shortlists import T0, Channel, Team, creator

pytest_plugins = ["tests.db_fixtures"]

WORKERS = 20
BASE = "7200000000000000000"
OTHERS = [f"72000000000000001{i:02d}" for i in range(WORKERS)]


@pytest.fixture
def settings(slack: FakeSlackApi, db_url: str) -> Settings:
    return slack_settings(slack, database_url=db_url)


@pytest.fixture
def services(services: Services) -> Services:
    """The shared services, with every creator of the test already seen in a search."""
    creators = [creator(BASE, "Base", price=10_000, plays=50_000)]
    creators += [creator(s, f"Creator {i}", price=1_000 + i, plays=10_000) for i, s in enumerate(OTHERS)]
    services.snapshots.save_many(creators, live=True, fetched_at=T0)
    return services


def test_twenty_teammates_at_once_lose_nothing(app: App, slack: FakeSlackApi, services: Services) -> None:
    team = Team(app, slack, services, Channel(slack))
    team.new_list("Launch budget=1000000")
    team.command(f"shortlist add Launch {BASE}")
    short_id = team.shortlist("Launch").short_id

    def teammate(i: int) -> None:
        who = team.user(f"U0MATE{i:02d}")
        team.command(f"shortlist add {short_id} {OTHERS[i]}", who)
        card = CardValue(short_id=short_id, star_id=BASE).encode()
        team.click(button("kol_sl_vote_down" if i % 4 == 0 else "kol_sl_vote_up", card), who)
        status = StatusValue(short_id=short_id, star_id=OTHERS[i], status=ItemStatus.APPROVED).encode()
        team.click(select("kol_sl_status", status), who)

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(teammate, range(WORKERS)))

    final = [
        "*Creators*\n21 (1 proposed, 20 approved)",
        "*List price* · 21–60 s\n¥30,190",  # 10,000 + Σ(1,000 + i)
        "*Budget left*\n¥969,810\nplanned ¥30,190 of ¥1,000,000",
        "*Blended CPM*\n¥120.76 / 1k plays",  # 30,190 ÷ 250,000 plays × 1,000
        "*Blended CPE*\n¥3.02 / engagement",  # 30,190 ÷ 10,000 engagements
        "*Expected plays*\n250K",
        "*Votes*\n:+1: 15  :-1: 5",
    ]
    eventually(lambda: all(line in team.parent("Launch") for line in final), timeout=60)
    eventually(
        lambda: all(":white_check_mark: Approved" in team.card("Launch", s) for s in OTHERS), timeout=60
    )
    eventually(lambda: ":+1: 15  :-1: 5" in team.card("Launch", BASE), timeout=60)

    summary = services.shortlists.summary(TEAM_ID, short_id)
    assert (summary.creator_count, summary.votes_up, summary.votes_down) == (21, 15, 5)
    assert summary.status_counts[ItemStatus.APPROVED] == WORKERS
    assert summary.total_list_yuan == 30_190
    cards = team.channel.thread(team.shortlist("Launch").parent_ts)
    assert len(cards) == WORKERS + 1  # one card per creator, none posted twice
    assert {i.card_ts for i in summary.items} == {c["ts"] for c in cards}
