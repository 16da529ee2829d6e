"""HTTP mode over real sockets (waitress on port 0), start-up checks, and Socket Mode retries."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from slack_bolt import App
from slack_bolt.adapter.socket_mode.internals import run_bolt_app
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.models import PageFetch
from bot.search import SearchService
from bot.services import Services
from bot.settings import Settings
from bot.sources.base import SearchRequest
from handlers.app import build_app
from handlers.server import EVENTS_PATH, make_server, serve, socket
from tests.fakes.signing import CHANNEL_ID, USER_ID, SlackRequests
from tests.fakes.slack_api import TEAM_ID, FakeSlackApi
from tests.fakes.slack_app import eventually


@pytest.fixture
def base_url(settings: Settings, services: Services) -> Iterator[str]:
    server = make_server(settings, build_app(settings, services=services), host="127.0.0.1", port=0)
    server.adj.asyncore_loop_timeout = 0.05  # quick shutdown at teardown
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    thread.join(timeout=5)


def test_healthz_reports_mode_and_demo(base_url: str) -> None:
    response = httpx.get(f"{base_url}/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "mode": "http", "demo": True}


def test_slash_command_over_http_is_acked_and_answered(
    base_url: str, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    request = slack_requests.command("护肤 pages=1 top=3")
    response = httpx.post(f"{base_url}/slack/events", content=request.body, headers=request.headers)
    assert response.status_code == 200
    assert "正在" in response.text
    [call] = slack.wait_for_calls("response")
    assert call.body["response_type"] == "in_channel" and call.body["blocks"]


def test_bad_signature_and_unknown_paths_over_http(base_url: str, slack_requests: SlackRequests) -> None:
    request = slack_requests.command("help").tampered()
    response = httpx.post(f"{base_url}/slack/events", content=request.body, headers=request.headers)
    assert response.status_code == 401
    assert httpx.get(f"{base_url}/slack/events").status_code == 404
    assert httpx.post(f"{base_url}/other", content=b"").status_code == 404


def test_socket_mode_retry_attempt_runs_the_search_once(services: Services, slack: FakeSlackApi) -> None:
    pages: list[int] = []
    inner = services.source

    class Counting:
        live = inner.live

        def search_page(self, request: SearchRequest) -> PageFetch:
            pages.append(request.page)
            return inner.search_page(request)

    services.search = SearchService(Counting(), on_seen=services.snapshots.save_many)
    app: App = build_app(services.settings, services=services)
    payload = {
        "command": "/kol",
        "text": "护肤 pages=2",
        "team_id": TEAM_ID,
        "channel_id": CHANNEL_ID,
        "user_id": USER_ID,
        "response_url": slack.response_url(),
        "trigger_id": "trig.socket.1",
    }
    first = SocketModeRequest(type="slash_commands", envelope_id="e1", payload=payload)
    retry = SocketModeRequest(type="slash_commands", envelope_id="e2", payload=payload, retry_attempt=1)
    submitted: list[object] = []
    submit = services.workers.submit
    services.workers.submit = lambda *a, **k: submitted.append(a) or submit(*a, **k)  # type: ignore[method-assign]
    assert run_bolt_app(app, first).status == 200
    assert run_bolt_app(app, retry).status == 200
    # Bolt acks before the listener hands its job over: wait for both hand-overs, not for time.
    eventually(lambda: len(submitted) == 2, failure="both deliveries handed their job to the workers")
    services.workers.shutdown(wait=True)  # every background job is over
    assert sorted(pages) == [1, 2]
    assert len(slack.responses()) == 1


@pytest.mark.parametrize(
    ("start", "overrides", "named", "not_named"),
    [
        (serve, {}, ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"], []),
        (serve, {"slack_bot_token": "xoxb-1"}, ["SLACK_SIGNING_SECRET"], ["SLACK_BOT_TOKEN"]),
        (socket, {"slack_bot_token": "xoxb-1"}, ["SLACK_APP_TOKEN"], ["SLACK_SIGNING_SECRET"]),
    ],
)
def test_missing_settings_stop_start_up_with_one_message(
    start, overrides: dict, named: list[str], not_named: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        start(Settings(_env_file=None, **overrides))
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert all(name in err for name in named) and not any(name in err for name in not_named)
    assert "Traceback" not in err and len(err.strip().splitlines()) == 2  # one message, en + zh


def test_rejected_bot_token_stops_start_up_cleanly(
    settings: Settings, slack: FakeSlackApi, capsys: pytest.CaptureFixture[str]
) -> None:
    slack.fail("auth.test", "invalid_auth")
    with pytest.raises(SystemExit) as exit_info:
        serve(settings)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN" in err and "invalid_auth" in err and "xoxb-test" not in err


def test_manifest_and_procfile_point_at_what_the_app_serves() -> None:
    repo = Path(__file__).resolve().parents[1]
    manifest = (repo / "manifest.yml").read_text()
    assert "command: /kol" in manifest
    assert manifest.count(f"https://YOUR-HOST{EVENTS_PATH}") == 3  # command, events, interactivity
    for scope in (
        "commands",
        "chat:write",
        "chat:write.public",
        "files:write",
        "reactions:read",
        "users:read",
    ):
        assert f"- {scope}\n" in manifest
    assert "socket_mode_enabled: false" in manifest
    procfile = dict(line.split(": ", 1) for line in (repo / "Procfile").read_text().splitlines() if line)
    assert procfile["web"] == "kolbot serve" and procfile["release"] == "kolbot migrate"
