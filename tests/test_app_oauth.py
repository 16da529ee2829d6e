"""Many workspaces: two workspaces installed through the real OAuth flow (over HTTP, against the
fake Slack's `oauth.v2.access`), then driven with signed requests. Each workspace's calls must
reach Slack with its own bot token, neither can see or change the other's data, and a workspace
that removes kolbot stops getting digests and is forgotten after the retention period.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from slack_bolt import App
from sqlalchemy.exc import OperationalError

from bot.cards.actions import DetailsValue, ShortlistValue, SortValue
from bot.db.tables import SLACK_OAUTH_TABLES, DigestRow, SavedSearchRow, ShortlistRow
from bot.demo import synth_detail
from bot.digests.clock import Clock
from bot.digests.models import DigestStatus
from bot.installations import EncryptedInstallationStore, TokenCipher
from bot.models import SortKey
from bot.services import Services
from bot.settings import Settings
from bot.slack_clients import NotInstalled
from bot.slack_io.digests import SlackPoster
from handlers.install import NOT_INSTALLED_MESSAGE
from handlers.server import wsgi_app
from tests.fakes.signing import SlackRequests, button, select
from tests.fakes.slack_api import CLIENT_ID, FakeSlackApi, FakeWorkspace
from tests.fakes.slack_app import SECRET, eventually, oauth_settings

KEY = Fernet.generate_key().decode()
STATE_COOKIE = re.compile(r"slack-app-oauth-state=([^;]+)")
LATER = datetime.now(UTC) + timedelta(days=2)  # every daily digest is due by then


@pytest.fixture
def settings(slack: FakeSlackApi) -> Settings:
    return oauth_settings(slack, kolbot_secret_key=KEY, kolbot_digest_post_interval_s=0.01)


@pytest.fixture
def browser(settings: Settings, app: App) -> Iterator[httpx.Client]:
    """An HTTP client of `kolbot serve`'s WSGI app (in process: no socket to tear down)."""
    transport = httpx.WSGITransport(app=wsgi_app(app, settings))
    with httpx.Client(transport=transport, base_url="https://kolbot.example") as client:
        yield client


@dataclass
class Workspace:
    """One workspace of the fake Slack, and a user in one of its channels."""

    slack: FakeSlackApi
    app: App
    fake: FakeWorkspace
    who: SlackRequests

    @property
    def team_id(self) -> str:
        return self.fake.team_id

    @property
    def channel(self) -> str:
        return self.who.channel_id

    def command(self, text: str) -> dict[str, Any]:
        """`/kol text`; the reply sent to this user's response_url (or the ack's body)."""
        name = self.who.response_url.rsplit("/", 1)[1]
        before = len(self.slack.responses(name))
        response = self.app.dispatch(self.who.command(text).bolt())
        assert response.status == 200, response.body
        if response.body.startswith("{") and json.loads(response.body).get("blocks"):
            return json.loads(response.body)  # answered in the ack
        return eventually(lambda: self.slack.responses(name)[before:])[0]

    def click(self, action: dict[str, Any]) -> dict[str, Any]:
        name = self.who.response_url.rsplit("/", 1)[1]
        before = len(self.slack.responses(name))
        assert self.app.dispatch(self.who.block_action(action).bolt()).status == 200
        return eventually(lambda: self.slack.responses(name)[before:])[0]

    def removes_kolbot(self, services: Services, event: dict[str, Any] | None = None) -> None:
        """Slack's `app_uninstalled` (or `event`); returns once its digests are paused (after the ack)."""
        self.slack.revoke(self.fake.bot_token)
        event = event or {"type": "app_uninstalled"}
        assert self.app.dispatch(self.who.event(event).bolt()).status == 200
        eventually(
            lambda: all(
                d.status is DigestStatus.PAUSED
                for d in services.digests.channel(self.team_id, self.channel).digests
            )
        )


def install(browser: httpx.Client, fake: FakeWorkspace, *, state: str | None = None) -> httpx.Response:
    """What a Slack admin's browser does: open the install page, approve, follow the redirect."""
    page = browser.get("/slack/install")
    assert page.status_code == 200 and "slack.com/oauth/v2/authorize" in page.text
    issued = STATE_COOKIE.search(page.headers["set-cookie"])
    assert issued is not None
    return redirect(browser, fake, state or issued.group(1))


def redirect(browser: httpx.Client, fake: FakeWorkspace, state: str) -> httpx.Response:
    """Slack sending the browser back with the workspace's code."""
    browser.cookies.clear()
    return browser.get(
        "/slack/oauth_redirect",
        params={"code": fake.code, "state": state},
        headers={"Cookie": f"slack-app-oauth-state={state}"},
    )


def add_workspace(slack: FakeSlackApi, app: App, team_id: str, **kwargs: Any) -> Workspace:
    fake = slack.add_workspace(team_id, **kwargs)
    who = SlackRequests(
        SECRET, response_url=slack.response_url(team_id), team_id=team_id, channel_id=f"C{team_id}"
    )
    return Workspace(slack, app, fake, who)


@pytest.fixture
def pair(browser: httpx.Client, slack: FakeSlackApi, app: App) -> tuple[Workspace, Workspace]:
    a, b = add_workspace(slack, app, "T0ALPHA"), add_workspace(slack, app, "T0BRAVO")
    for ws in (a, b):
        page = install(browser, ws.fake)
        assert page.status_code == 200 and f"kolbot is installed in Team {ws.team_id}" in page.text
        assert "type /kol help in a channel" in page.text and "slack://app?team=" in page.text
        assert "已安装" in page.text
    return a, b


def tokens_of(slack: FakeSlackApi, method: str, channel: str) -> set[str | None]:
    return {c.token for c in slack.calls_to(method) if c.body.get("channel") == channel}


def values(message: dict[str, Any], action_id: str) -> list[str]:
    """The values of a message's buttons with `action_id`."""
    return [
        e["value"]
        for block in message.get("blocks", [])
        if block["type"] == "actions"
        for e in block["elements"]
        if e.get("action_id") == action_id
    ]


def text_of(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False)


# -- installing -------------------------------------------------------------------------------


def test_install_keeps_each_workspaces_token_encrypted_at_rest(
    pair: tuple[Workspace, Workspace], services: Services, slack: FakeSlackApi
) -> None:
    assert len(slack.calls_to("oauth.v2.access")) == 2
    with services.engine.connect() as conn:
        stored = [row for t in SLACK_OAUTH_TABLES[:2] for row in conn.execute(sa.select(t)).mappings()]
    assert {row["team_id"] for row in stored} == {"T0ALPHA", "T0BRAVO"}
    dump = repr(stored)
    assert "xoxb-" not in dump  # a database dump alone yields no token
    for ws in pair:
        assert services.slack.for_workspace(ws.team_id).token == ws.fake.bot_token
    other_key = EncryptedInstallationStore(CLIENT_ID, services.engine, TokenCipher([Fernet.generate_key()]))
    assert other_key.find_bot_for_team("T0ALPHA") is None  # unreadable without the key


def test_a_rotated_key_reads_old_tokens_and_housekeeping_re_encrypts_them(
    pair: tuple[Workspace, Workspace], services: Services
) -> None:
    new_key = Fernet.generate_key().decode()
    rotated = EncryptedInstallationStore(CLIENT_ID, services.engine, TokenCipher([new_key, KEY]))
    only_new = EncryptedInstallationStore(CLIENT_ID, services.engine, TokenCipher([new_key]))
    assert rotated.find_bot_for_team("T0ALPHA").bot_token == pair[0].fake.bot_token
    assert only_new.find_bot_for_team("T0ALPHA") is None  # not yet re-encrypted
    assert rotated.rotate_keys() == 4  # bot tokens of two installations and two bots
    assert rotated.rotate_keys() == 0
    for ws in pair:
        assert only_new.find_bot_for_team(ws.team_id).bot_token == ws.fake.bot_token


def test_a_forged_or_reused_state_installs_nothing(
    browser: httpx.Client, slack: FakeSlackApi, app: App
) -> None:
    ws = add_workspace(slack, app, "T0ALPHA")
    forged = install(browser, ws.fake, state="0000.forged")
    assert forged.status_code == 401 and "expired or was already used" in forged.text
    assert slack.calls_to("oauth.v2.access") == []
    page = browser.get("/slack/install")
    state = STATE_COOKIE.search(page.headers["set-cookie"]).group(1)
    for expected in (200, 401):  # the second use of one state is refused
        assert redirect(browser, ws.fake, state).status_code == expected


def test_an_install_the_database_cannot_store_gets_a_clear_page(
    browser: httpx.Client, slack: FakeSlackApi, app: App, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(installation: object) -> None:
        raise OperationalError("INSERT", {}, Exception("database is down"))

    monkeypatch.setattr(services.workspaces.installations, "save", down)
    page = install(browser, add_workspace(slack, app, "T0ALPHA").fake)
    assert page.status_code == 500
    assert "database is unavailable. Try again in a minute." in page.text and "数据库暂不可用" in page.text


def test_an_org_wide_enterprise_install_is_refused_with_a_clear_page(
    browser: httpx.Client, slack: FakeSlackApi, app: App, services: Services
) -> None:
    grid = add_workspace(slack, app, "T0GRID", enterprise_id="E0GRID", org_wide=True)
    page = install(browser, grid.fake)
    assert page.status_code == 200
    assert "whole Enterprise Grid organization" in page.text and "install it to each workspace" in page.text
    assert "组织级安装" in page.text
    [revoke] = slack.calls_to("auth.revoke")
    assert revoke.token == grid.fake.bot_token
    with services.engine.connect() as conn:
        assert all(conn.execute(sa.select(t)).first() is None for t in SLACK_OAUTH_TABLES[:2])
    # A command from that org gets the "not installed" message, not a crash.
    assert grid.command("help")["text"] == NOT_INSTALLED_MESSAGE


def test_a_workspace_in_a_grid_org_installs_per_workspace(
    browser: httpx.Client, slack: FakeSlackApi, app: App, services: Services
) -> None:
    ws = add_workspace(slack, app, "T0GRIDWS", enterprise_id="E0GRID")
    assert "kolbot is installed" in install(browser, ws.fake).text
    assert services.slack.for_workspace("T0GRIDWS").token == ws.fake.bot_token


# -- each workspace with its own token ---------------------------------------------------------


def test_commands_and_clicks_reach_slack_with_their_workspaces_token(
    pair: tuple[Workspace, Workspace], slack: FakeSlackApi
) -> None:
    for ws in pair:
        assert "Spring" in text_of(ws.command("shortlist new Spring"))
        star_id = values(ws.command("护肤 pages=1 top=3"), "kol_add_to_shortlist")[0]
        add = ws.who.block_action(button("kol_add_to_shortlist", star_id))
        assert ws.app.dispatch(add.bolt()).status == 200  # opens the "add to shortlist" modal
    slack.wait_for_calls("views.open", 2)
    for ws in pair:
        assert tokens_of(slack, "conversations.info", ws.channel) == {ws.fake.bot_token}
        assert tokens_of(slack, "chat.postMessage", ws.channel) == {ws.fake.bot_token}
    opened = {c.token for c in slack.calls_to("views.open")}
    assert opened == {pair[0].fake.bot_token, pair[1].fake.bot_token}
    assert {c.token for c in slack.calls} <= {None, pair[0].fake.bot_token, pair[1].fake.bot_token}


def test_deep_dives_and_their_chart_uploads_use_their_workspaces_token(
    pair: tuple[Workspace, Workspace], slack: FakeSlackApi
) -> None:
    star_id = synth_detail.demo_star_ids()[0]
    for ws in pair:
        assert ws.app.dispatch(ws.who.command(f"show {star_id}").bolt()).status == 200
    completed = slack.wait_for_calls("files.completeUploadExternal", 2, timeout=60)  # charts render first
    for ws in pair:
        assert tokens_of(slack, "chat.postMessage", ws.channel) == {ws.fake.bot_token}
        assert {c.token for c in completed if c.body["channel_id"] == ws.channel} == {ws.fake.bot_token}
    uploads_asked = {c.token for c in slack.calls_to("files.getUploadURLExternal")}
    assert uploads_asked == {ws.fake.bot_token for ws in pair}


def test_a_workspaces_token_is_checked_once_not_before_every_ack(
    pair: tuple[Workspace, Workspace], slack: FakeSlackApi
) -> None:
    a, _ = pair
    checks = len([c for c in slack.calls_to("auth.test") if c.token == a.fake.bot_token])
    for _ in range(3):
        a.command("help")
    assert len([c for c in slack.calls_to("auth.test") if c.token == a.fake.bot_token]) == checks + 1


def test_the_clocks_digests_post_with_their_workspaces_token(
    pair: tuple[Workspace, Workspace], slack: FakeSlackApi, services: Services
) -> None:
    for ws in pair:
        assert "saved" in text_of(ws.command('digest add "skincare" daily 09:30'))
    clock = Clock(services.digests, tick_s=1)
    assert clock.tick(LATER)["posted"] == 2
    for ws in pair:
        assert tokens_of(slack, "chat.postMessage", ws.channel) == {ws.fake.bot_token}


def test_message_links_use_each_workspaces_own_address(
    pair: tuple[Workspace, Workspace], services: Services, slack: FakeSlackApi
) -> None:
    poster = SlackPoster(services.slack)
    for ws in pair:
        assert poster.archive_url(ws.team_id, ws.channel, "1.2") == f"{ws.fake.url}archives/{ws.channel}/p12"
    assert {c.token for c in slack.calls_to("auth.test")} >= {ws.fake.bot_token for ws in pair}


# -- isolation ----------------------------------------------------------------------------------


def test_no_workspace_can_read_or_change_anothers_searches_shortlists_or_digests(
    pair: tuple[Workspace, Workspace], services: Services
) -> None:
    a, b = pair
    [details, *_] = values(a.command("护肤 pages=1 top=3"), "kol_details")
    by_cpm = SortValue(search_ref=DetailsValue.decode(details).search_ref, sort=SortKey.CPM).encode()
    assert values(a.click(select("kol_sort", by_cpm)), "kol_details")  # its own workspace: re-sorted
    refused = b.click(select("kol_sort", by_cpm))
    assert "belongs to another workspace" in refused["text"]

    a.command("shortlist new Spring")
    [listed] = services.shortlists.list("T0ALPHA", a.channel)
    short_id = listed.shortlist.short_id
    for text in (f"shortlist show {short_id}", f"shortlist close {short_id}"):
        refused = text_of(b.command(text))
        assert "No shortlist named" in refused and "Spring" not in refused
    compare = text_of(b.click(button("kol_compare_shortlist", ShortlistValue(short_id=short_id).encode())))
    assert "another Slack workspace" in compare and "Spring" not in compare
    assert services.shortlists.get("T0ALPHA", short_id).status.value == "open"

    a.command('digest add "skincare" daily 09:30')
    [digest] = services.digests.channel("T0ALPHA", a.channel).digests
    for verb in ("show", "pause", "remove"):
        assert "belongs to another Slack workspace" in text_of(b.command(f"digest {verb} {digest.short_id}"))
    assert services.digests.show("T0ALPHA", digest.short_id).digest.status is DigestStatus.ACTIVE


# -- removal ------------------------------------------------------------------------------------


def test_after_uninstall_that_workspaces_digests_stop_and_its_data_goes_after_retention(
    pair: tuple[Workspace, Workspace], services: Services, slack: FakeSlackApi, browser: httpx.Client
) -> None:
    a, b = pair
    for ws in pair:
        ws.command('digest add "skincare" daily 09:30')
        ws.command("shortlist new Spring")
    a.removes_kolbot(services)

    with pytest.raises(NotInstalled):
        services.slack.for_workspace(a.team_id)
    [paused] = services.digests.channel(a.team_id, a.channel).digests
    assert paused.status is DigestStatus.PAUSED
    before = len(slack.calls_to("chat.postMessage"))
    assert Clock(services.digests, tick_s=1).tick(LATER)["posted"] == 1
    new_posts = slack.calls_to("chat.postMessage")[before:]
    assert [c.body["channel"] for c in new_posts] == [b.channel]
    assert a.command("help")["text"] == NOT_INSTALLED_MESSAGE

    def rows(team_id: str) -> int:
        with services.engine.connect() as conn:
            return sum(
                len(conn.execute(sa.select(t).where(t.team_id == team_id)).all())
                for t in (DigestRow, ShortlistRow, SavedSearchRow)
            )

    assert services.workspaces.housekeeping(datetime.now(UTC) + timedelta(days=29)) == []
    assert rows(a.team_id) > 0
    assert services.workspaces.housekeeping(datetime.now(UTC) + timedelta(days=31)) == [a.team_id]
    assert rows(a.team_id) == 0 and rows(b.team_id) > 0


def test_installing_again_within_retention_keeps_the_data_and_resumes_the_digests(
    pair: tuple[Workspace, Workspace], services: Services, slack: FakeSlackApi, browser: httpx.Client
) -> None:
    a, _ = pair
    a.command('digest add "skincare" daily 09:30')
    a.removes_kolbot(services)
    again = slack.add_workspace(a.team_id)  # a new install gets a new token
    assert "kolbot is installed" in install(browser, again).text
    assert services.slack.for_workspace(a.team_id).token == again.bot_token
    [digest] = services.digests.channel(a.team_id, a.channel).digests
    assert digest.status is DigestStatus.ACTIVE
    assert services.workspaces.housekeeping(datetime.now(UTC) + timedelta(days=60)) == []


def test_a_revoked_bot_token_counts_as_removal(pair: tuple[Workspace, Workspace], services: Services) -> None:
    a, b = pair
    a.command('digest add "skincare" daily 09:30')
    a.removes_kolbot(services, {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0KOLBOT"]}})
    with pytest.raises(NotInstalled):
        services.slack.for_workspace(a.team_id)
    assert services.slack.for_workspace(b.team_id).token == b.fake.bot_token


def test_the_authorize_lookup_before_an_ack_does_not_wait_for_the_write_lock(
    pair: tuple[Workspace, Workspace], services: Services
) -> None:
    """SQLite: while another connection holds the write lock, the installation lookup still answers
    (a lookup that began like a writer would wait out busy_timeout, then fail "database is locked")."""
    store = services.workspaces.installations
    assert store is not None
    with services.engine.begin() as writer:  # BEGIN IMMEDIATE: holds the write lock
        writer.execute(sa.text("DELETE FROM request_claims"))
        assert store.find_bot(enterprise_id=None, team_id="T0ALPHA").bot_token == pair[0].fake.bot_token
