"""Operations: one log line per Slack request (text and JSON, no token) and Prometheus `/metrics`.

Requests are real signed Slack requests, sent over HTTP to the app served by waitress on port 0,
against the fake Slack Web API and the fake TikHub.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from slack_bolt.adapter.socket_mode.internals import run_bolt_app
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.cli import main
from bot.observability.logs import configure_logging
from bot.observability.metrics import metrics, reset_metrics
from bot.observability.trace import RequestTrace, TracingExecutor, tracing
from bot.services import Services, build_services
from bot.settings import Settings
from handlers.app import build_app
from handlers.observe import command_verb, describe
from handlers.server import make_server
from tests.fakes.signing import CHANNEL_ID, SignedRequest, SlackRequests, button
from tests.fakes.slack_api import TEAM_ID, FakeSlackApi
from tests.fakes.slack_app import BOT_TOKEN, SECRET, eventually, slack_values
from tests.fakes.tikhub_server import FakeTikHub

SEARCH = "护肤 pages=1 top=3"


@pytest.fixture(autouse=True)
def _fresh_metrics() -> None:
    reset_metrics()


@pytest.fixture
def tikhub() -> Iterator[FakeTikHub]:
    with FakeTikHub() as fake:
        yield fake


def live_settings(slack: FakeSlackApi, tikhub: FakeTikHub, **extra: object) -> Settings:
    values = slack_values(slack, tikhub_max_retries=0, kolbot_tikhub_qps=1000, **extra)
    return tikhub.settings(**values)


@pytest.fixture
def settings(slack: FakeSlackApi, tikhub: FakeTikHub) -> Settings:
    return live_settings(slack, tikhub, kolbot_metrics=True)


@contextmanager
def serving(services: Services) -> Iterator[str]:
    """The app over HTTP on 127.0.0.1, port 0; its base URL."""
    app = build_app(services.settings, services=services)
    server = make_server(services.settings, app, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.trigger.pull_trigger(server.close)  # closed from its own loop thread, which then ends
    thread.join(timeout=5)


@pytest.fixture
def base_url(services: Services) -> Iterator[str]:
    with serving(services) as url:
        yield url


def post(base_url: str, request: SignedRequest) -> httpx.Response:
    return httpx.post(f"{base_url}/slack/events", content=request.body, headers=request.headers)


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a Prometheus text page, keyed by (name, sorted labels)."""
    response = httpx.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def requests_counted(url: str, kind: str, outcome: str, expected: int) -> Callable[[], dict]:
    """A predicate for `eventually`: the scrape once `expected` such requests have finished."""

    def check() -> dict | None:
        samples = scrape(url)
        done = value(samples, "kolbot_slack_requests_total", kind=kind, outcome=outcome) >= expected
        return samples if done else None

    return check


# -- /metrics ---------------------------------------------------------------------------------------


def test_metrics_move_after_signed_requests(
    base_url: str,
    services: Services,
    slack: FakeSlackApi,
    slack_requests: SlackRequests,
    tikhub: FakeTikHub,
) -> None:
    url = f"{base_url}/metrics"
    before = scrape(url)
    assert value(before, "kolbot_slack_requests_total", kind="command", outcome="ok") == 0

    assert post(base_url, slack_requests.command(SEARCH)).status_code == 200
    slack.wait_for_calls("response", 1)
    assert post(base_url, slack_requests.command(SEARCH)).status_code == 200  # served from the cache
    slack.wait_for_calls("response", 2)
    assert post(base_url, slack_requests.command("help").tampered()).status_code == 401
    assert post(base_url, slack_requests.command('digest add "护肤" daily 09:00')).status_code == 200
    [digest] = services.digests.channel(TEAM_ID, CHANNEL_ID).digests
    slack.fail("chat.postMessage", "not_in_channel")  # the digest's channel post fails once…
    assert post(base_url, slack_requests.command(f"digest run {digest.short_id}")).status_code == 200
    slack.wait_for_calls("response", 3)  # "…was not posted": the digest paused itself
    for text in (f"digest resume {digest.short_id}", f"digest run {digest.short_id}"):  # …then posts
        assert post(base_url, slack_requests.command(text)).status_code == 200

    eventually(requests_counted(url, "command", "user_error", 1), failure="the failed run not counted")
    after = eventually(requests_counted(url, "command", "ok", 5), failure="5 commands not counted")
    assert value(after, "kolbot_slack_requests_total", kind="command", outcome="user_error") == 1
    assert value(after, "kolbot_slack_requests_total", kind="command", outcome="rejected") == 1
    assert value(after, "kolbot_slack_ack_seconds_count", kind="command") == 7
    assert value(after, "kolbot_slack_request_seconds_count", kind="command") == 7
    calls = tikhub.calls
    assert calls >= 1 and value(after, "kolbot_tikhub_calls_total", route="search_kol_v1") == calls
    assert value(after, "kolbot_tikhub_cost_usd_total", route="search_kol_v1") == pytest.approx(0.02 * calls)
    assert value(after, "kolbot_tikhub_cache_hits_total", route="search_kol_v1") >= 1
    assert (
        value(after, "kolbot_slack_api_errors_total", method="chat.postMessage", error="not_in_channel") == 1
    )
    assert value(after, "kolbot_digests_posted_total") == 1


def test_refusals_and_duplicates_are_counted_with_their_outcome(
    base_url: str, slack_requests: SlackRequests, slack: FakeSlackApi
) -> None:
    click = slack_requests.block_action(button("kol_more", "nosuchref:2"))
    assert post(base_url, click).status_code == 200
    slack.wait_for_calls("response", 1)  # "This search is unknown here…", after the ack
    assert post(base_url, click.retried()).status_code == 200  # Slack's retry of the same click
    assert "pages" in post(base_url, slack_requests.command("护肤 pages=0")).text  # refused in the ack

    url = f"{base_url}/metrics"
    for kind, outcome in [("action", "user_error"), ("action", "duplicate"), ("command", "user_error")]:
        eventually(requests_counted(url, kind, outcome, 1), failure=f"no {kind} counted as {outcome}")
    samples = scrape(url)
    assert value(samples, "kolbot_slack_requests_total", kind="action", outcome="ok") == 0
    assert value(samples, "kolbot_slack_requests_total", kind="command", outcome="ok") == 0


def test_socket_mode_requests_are_traced_too(services: Services, slack: FakeSlackApi) -> None:
    app = build_app(services.settings, services=services)
    payload = {
        "command": "/kol",
        "text": SEARCH,
        "team_id": TEAM_ID,
        "channel_id": CHANNEL_ID,
        "user_id": "U1",
        "response_url": slack.response_url(),
        "trigger_id": "trig.socket.1",
    }
    assert run_bolt_app(app, SocketModeRequest(type="slash_commands", envelope_id="e1", payload=payload))
    services.workers.shutdown(wait=True)  # the search is over, and with it the request
    registry = metrics().registry
    assert registry.get_sample_value("kolbot_slack_requests_total", {"kind": "command", "outcome": "ok"}) == 1
    assert (registry.get_sample_value("kolbot_tikhub_calls_total", {"route": "search_kol_v1"}) or 0) >= 1


def test_metrics_are_off_unless_enabled(slack: FakeSlackApi, tikhub: FakeTikHub) -> None:
    services = build_services(live_settings(slack, tikhub))
    try:
        with serving(services) as url:
            assert httpx.get(f"{url}/metrics").status_code == 404
    finally:
        services.close()


def test_every_cli_process_configures_logging(monkeypatch: pytest.MonkeyPatch, logs: LogCapture) -> None:
    monkeypatch.setenv("KOLBOT_LOG_FORMAT", "json")
    before = set(logging.getLogger().handlers)
    assert main(["migrate"]) == 0
    logs.handlers.extend(set(logging.getLogger().handlers) - before)
    lines = [line for line in logs.wait_for("Running upgrade") if line.startswith("{")]
    migration = json.loads(next(line for line in lines if "Running upgrade" in line))
    assert migration["logger"] == "alembic.runtime.migration" and migration["request_id"] == "-"


# -- one log line per request -----------------------------------------------------------------------


class LogCapture:
    """kolbot's logging, configured for a test and read back from stderr."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys, self.lines = capsys, list[str]()
        self.handlers: list[logging.Handler] = []

    def configure(self, settings: Settings) -> None:
        self.handlers.append(configure_logging(settings))

    def wait_for(self, text: str) -> list[str]:
        """Every line so far, once one containing `text` has been written."""

        def found() -> bool:
            self.lines.extend(self.capsys.readouterr().err.splitlines())
            return any(text in line for line in self.lines)

        eventually(found, failure=f"no log line with {text!r}")
        return list(self.lines)


@pytest.fixture
def logs(capsys: pytest.CaptureFixture[str]) -> Iterator[LogCapture]:
    root = logging.getLogger()
    level, capture = root.level, LogCapture(capsys)
    yield capture
    for handler in capture.handlers:
        root.removeHandler(handler)
    root.setLevel(level)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_each_request_logs_one_line_without_tokens(
    fmt: str,
    slack: FakeSlackApi,
    tikhub: FakeTikHub,
    slack_requests: SlackRequests,
    logs: LogCapture,
) -> None:
    settings = live_settings(slack, tikhub, kolbot_log_format=fmt)
    logs.configure(settings)
    services = build_services(settings)
    try:
        app = build_app(settings, services=services)
        assert app.dispatch(slack_requests.command(SEARCH).bolt()).status == 200
        slack.wait_for_calls("response", 1)
        lines = logs.wait_for("slack request")
        logging.getLogger("kolbot.test").warning(
            "echo %s", BOT_TOKEN, extra={"header": f"Bearer {tikhub.token}", "secret": SECRET}
        )
        lines = logs.wait_for("echo")
    finally:
        services.close()

    request_lines = [line for line in lines if "slack request" in line]
    assert len(request_lines) == 1
    if fmt == "json":
        fields = json.loads(request_lines[0])
        assert fields["level"] == "INFO" and fields["time"].endswith("+00:00")
        assert len(fields["request_id"]) == 12
        assert (fields["team"], fields["kind"], fields["subcommand"]) == (TEAM_ID, "command", "search")
        assert fields["outcome"] == "ok"
        assert 0 <= fields["ack_ms"] <= fields["total_ms"]
        assert (fields["tikhub_calls"], fields["tikhub_cost_usd"]) == (tikhub.calls, 0.02 * tikhub.calls)
        echo = json.loads(next(line for line in lines if "echo" in line))
        assert echo["header"] == "Bearer [REDACTED]" and echo["secret"] == "[REDACTED]"
    else:
        line = request_lines[0]
        assert f"team={TEAM_ID} kind=command subcommand=search outcome=ok" in line
        assert f"tikhub_calls={tikhub.calls} " in line and "ack_ms=" in line and "total_ms=" in line
    output = "\n".join(lines)
    for secret in (BOT_TOKEN, SECRET, tikhub.token):
        assert secret not in output
    assert "[REDACTED]" in output


def test_json_log_lines_carry_the_request_id_of_lines_inside_the_request(
    slack: FakeSlackApi,
    tikhub: FakeTikHub,
    slack_requests: SlackRequests,
    logs: LogCapture,
) -> None:
    settings = live_settings(slack, tikhub, kolbot_log_format="json")
    logs.configure(settings)
    services = build_services(settings)
    try:
        app = build_app(settings, services=services)
        request = slack_requests.command(SEARCH)
        app.dispatch(request.bolt())
        app.dispatch(request.retried().bolt())  # Slack's retry: dropped as a duplicate
        lines = logs.wait_for("outcome=duplicate")
        lines = logs.wait_for("outcome=ok")
    finally:
        services.close()
    records = [json.loads(line) for line in lines]
    duplicate = next(r for r in records if r.get("outcome") == "duplicate")
    dropped = next(r for r in records if r["message"].startswith("duplicate Slack request dropped"))
    assert dropped["request_id"] == duplicate["request_id"]


# -- traces -----------------------------------------------------------------------------------------


def test_a_trace_finishes_when_its_background_work_ends() -> None:
    trace = RequestTrace("command", "search", "T1")
    release = threading.Event()
    with TracingExecutor(2) as pool, tracing(trace):
        work: Future[None] = pool.submit(release.wait)
        trace.acked(200)
        assert trace.ack_s is not None and trace.total_s is None  # still working after the ack
        release.set()
        work.result()
    assert trace.total_s is not None and trace.total_s >= trace.ack_s


def test_requests_are_described_by_routing_names_only() -> None:
    assert command_verb("护肤 followers>=10w") == "search"
    assert command_verb("") == "help"
    assert command_verb("Shortlist new Spring") == "shortlist"
    assert command_verb("推送 list") == "digest"
    assert describe({"command": "/kol", "text": "show 123", "team_id": "T1"}) == ("command", "show", "T1")
    action = {"type": "block_actions", "team": {"id": "T2"}, "actions": [{"action_id": "kol_more"}]}
    assert describe(action) == ("action", "kol_more", "T2")
    view = {"type": "view_submission", "user": {"team_id": "T3"}, "view": {"callback_id": "kol_sl_new_view"}}
    assert describe(view) == ("view", "kol_sl_new_view", "T3")
    event = {"type": "event_callback", "team_id": "T4", "event": {"type": "reaction_added"}}
    assert describe(event) == ("event", "reaction_added", "T4")


@pytest.mark.parametrize(
    ("name", "value"),
    [("KOLBOT_LOG_FORMAT", "xml"), ("KOLBOT_LOG_LEVEL", "loud"), ("KOLBOT_METRICS_PORT", "0")],
)
def test_bad_operations_settings_are_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=name.lower()):
        Settings(_env_file=None)


def test_operations_settings_accept_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOLBOT_LOG_LEVEL", "debug")
    monkeypatch.setenv("KOLBOT_LOG_FORMAT", "JSON")
    monkeypatch.setenv("KOLBOT_METRICS", "on")
    settings = Settings(_env_file=None)
    assert (settings.kolbot_log_level, settings.kolbot_log_format, settings.kolbot_metrics) == (
        "DEBUG",
        "json",
        True,
    )


def test_chatty_libraries_speak_at_info_only_when_kolbot_is_at_debug(logs: LogCapture) -> None:
    """matplotlib's "generated new fontManager" came out on a machine's first chart."""
    logs.configure(Settings(_env_file=None, kolbot_log_level="INFO"))
    assert not logging.getLogger("matplotlib.font_manager").isEnabledFor(logging.INFO)
    assert logging.getLogger("bot.charts").isEnabledFor(logging.INFO)
    logs.configure(Settings(_env_file=None, kolbot_log_level="DEBUG"))
    assert logging.getLogger("matplotlib.font_manager").isEnabledFor(logging.INFO)
    logs.configure(Settings(_env_file=None, kolbot_log_level="INFO"))  # as the other tests expect
