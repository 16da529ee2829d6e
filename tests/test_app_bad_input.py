"""Hostile bytes in user input: NUL and other control characters never reach parsing or storage,
on SQLite and PostgreSQL alike (a NUL in a text column is an error on PostgreSQL)."""

from __future__ import annotations

import json

import pytest
from slack_bolt import App
from sqlalchemy.orm import Session, sessionmaker

from bot.services import Services
from bot.settings import Settings
from bot.store.searches import SearchRefs
from handlers.views.shortlist import FormContext
from tests.fakes.signing import CHANNEL_ID, USER_ID, SlackRequests
from tests.fakes.slack_api import TEAM_ID, FakeSlackApi
from tests.fakes.slack_app import next_response, slack_settings

DIRTY = "\x00Spr\x01ing\x7f \x1blaunch\x00"  # NUL, SOH, DEL, ESC


@pytest.fixture
def settings(slack: FakeSlackApi, db_url: str) -> Settings:
    return slack_settings(slack, database_url=db_url)


def test_shortlist_name_with_nul_is_created_clean(
    app: App, services: Services, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    reply = next_response(app, slack, slack_requests.command(f"shortlist new {DIRTY}"))
    assert "Spring launch" in json.dumps(reply, ensure_ascii=False)
    [listed] = services.shortlists.list(TEAM_ID, CHANNEL_ID)
    assert listed.shortlist.name == "Spring launch"


def test_digest_add_with_nul_and_controls_is_stored_clean(
    app: App, services: Services, slack_requests: SlackRequests
) -> None:
    text = 'digest add "护\x00肤\x02 pages=1" daily\x00 09:30\r\n'
    response = app.dispatch(slack_requests.command(text).bolt())
    assert response.status == 200
    [digest] = services.digests.channel(TEAM_ID, CHANNEL_ID).digests
    assert "\x00" not in digest.raw_query and "护肤" in digest.raw_query


def test_view_submission_values_lose_control_characters(
    app: App, services: Services, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    values = {"new_name": {"value": {"value": DIRTY}}, "budget": {"value": {"value": "\x003万"}}}
    form = FormContext(CHANNEL_ID, "en", slack.response_url()).dump()
    request = slack_requests.view_submission("kol_sl_new_view", values, private_metadata=form)
    response = app.dispatch(request.bolt())
    assert response.status == 200 and json.loads(response.body or "{}").get("errors") is None
    slack.wait_for_calls("chat.postMessage")
    [listed] = services.shortlists.list(TEAM_ID, CHANNEL_ID)
    assert listed.shortlist.name == "Spring launch" and listed.shortlist.budget_yuan == 30_000


def test_the_store_drops_nul_that_got_past_the_edge(db_url: str, sessions: sessionmaker[Session]) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite stores NUL; only PostgreSQL refuses it")
    refs = SearchRefs(sessions)
    ref = refs.save(TEAM_ID, CHANNEL_ID, USER_ID, "护\x00肤", "zh")
    saved = refs.get(ref, TEAM_ID)
    assert saved is not None and saved.raw_query == "护肤"
