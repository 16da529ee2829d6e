"""`kolbot serve` and `kolbot socket` as real processes: start-up failures give one line and a
non-zero exit, Ctrl-C gives one line, and SIGTERM stops the server gracefully."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO

import httpx
import pytest
from sqlalchemy import select

from bot.cards.views import error_message
from bot.db.engine import make_engine
from bot.db.migrate import migrate
from bot.db.tables import RequestClaim
from handlers.background import SHUT_DOWN
from tests.db_fixtures import PG_ENV, throwaway_pg_database, url_text
from tests.fakes.signing import SlackRequests
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_app import BOT_TOKEN, SECRET
from tests.fakes.tikhub_server import FakeTikHub

REPO = Path(__file__).resolve().parents[1]
APP_TOKEN = "xapp-1-A0KOLBOT-test-app-token"


class Kolbot:
    """A `kolbot` subprocess whose output lines can be awaited one by one."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        self.args = args
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", *args],
            env=env,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._lines: queue.Queue[str] = queue.Queue()
        self._err_lines: queue.Queue[str] = queue.Queue()
        self.stdout: list[str] = []
        self._stderr: list[str] = []
        self._readers = [
            threading.Thread(
                target=self._read, args=(self.proc.stdout, self.stdout, self._lines), daemon=True
            ),
            threading.Thread(
                target=self._read, args=(self.proc.stderr, self._stderr, self._err_lines), daemon=True
            ),
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _read(stream: IO[str] | None, into: list[str], lines: queue.Queue[str] | None) -> None:
        assert stream is not None
        for line in stream:
            into.append(line)
            if lines is not None:
                lines.put(line)

    def line(self, containing: str, timeout: float = 30) -> str:
        """The next stdout line containing `containing` (earlier lines are skipped)."""
        return self._next(self._lines, self.stdout, containing, timeout)

    def log_line(self, containing: str, timeout: float = 30) -> str:
        """The next stderr (log) line containing `containing` (earlier lines are skipped)."""
        return self._next(self._err_lines, self._stderr, containing, timeout)

    @staticmethod
    def _next(lines: queue.Queue[str], seen: list[str], containing: str, timeout: float) -> str:
        while True:
            try:
                line = lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no line with {containing!r}; output so far: {seen}") from None
            if containing in line:
                return line

    def finish(self, timeout: float = 60) -> tuple[int, str]:
        """Exit code and stderr, once the process has exited and its output is read."""
        code = self.proc.wait(timeout=timeout)
        for reader in self._readers:
            reader.join(timeout=10)
        return code, "".join(self._stderr)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def base_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "TIKHUB_", "KOLBOT_", "DATABASE_URL", "PORT", "HOST"))
    }
    return {**keep, "PYTHONPATH": str(REPO), "KOLBOT_DATA_DIR": str(tmp_path / "data"), **settings}


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def run(tmp_path: Path) -> Iterator:
    started: list[Kolbot] = []

    def start(args: list[str], **settings: str) -> Kolbot:
        process = Kolbot(args, base_env(tmp_path, **settings), tmp_path)
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()


def slack_env(slack: FakeSlackApi, **extra: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        **extra,
    }


def assert_one_line(err: str, *needles: str) -> None:
    """kolbot's own answer is one line; the log lines around it (KOLBOT_LOG_LEVEL) don't count."""
    lines = [line for line in err.strip().splitlines() if line.startswith("kolbot ")]
    assert len(lines) == 1, err
    assert "Traceback" not in err and all(n in lines[0] for n in needles), err


# -- start-up ------------------------------------------------------------------------------


def test_an_unreachable_database_stops_start_up_with_one_line(run, slack: FakeSlackApi) -> None:
    url = f"postgresql://kolbot:hunter2@127.0.0.1:{closed_port()}/kolbot"
    code, err = run(["serve"], DATABASE_URL=url, **slack_env(slack)).finish()
    assert code == 3
    assert_one_line(err, "database", "127.0.0.1", "DATABASE_URL", "数据库")
    assert "hunter2" not in err


@pytest.mark.parametrize("url", ["foo", "mysql://kolbot:hunter2@db.example/kolbot"])
def test_an_unsupported_database_url_stops_start_up_with_one_line(run, slack: FakeSlackApi, url: str) -> None:
    code, err = run(["serve"], DATABASE_URL=url, **slack_env(slack)).finish()
    assert code == 2
    assert_one_line(err, "DATABASE_URL", "sqlite:///", "postgresql://")
    assert "hunter2" not in err


def test_a_worker_without_postgresql_stops_start_up_with_one_line(run, slack: FakeSlackApi) -> None:
    code, err = run(["worker"], **slack_env(slack)).finish()  # SQLite: serve runs the work itself
    assert code == 2
    assert_one_line(err, "kolbot worker", "PostgreSQL", "DATABASE_URL")


def test_a_port_in_use_stops_start_up_with_one_line(run, slack: FakeSlackApi) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        code, err = run(["serve"], HOST="127.0.0.1", PORT=port, **slack_env(slack)).finish()
    assert code == 2
    assert_one_line(err, "cannot listen on 127.0.0.1:" + port, "HOST and PORT", "无法在")


def test_an_unreachable_slack_stops_start_up_with_one_line(run) -> None:
    api = f"http://127.0.0.1:{closed_port()}/api/"
    code, err = run(
        ["serve"], SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=api
    ).finish()
    assert code == 3
    assert_one_line(err, "cannot reach Slack", api, "SLACK_API_URL", "无法连接 Slack")
    assert BOT_TOKEN not in err
    assert "slack_sdk.web" not in err and " ERROR " not in err  # slack_sdk's own failure and retry lines


def test_a_bot_token_given_as_the_app_token_stops_socket_mode_with_one_line(run, slack: FakeSlackApi) -> None:
    code, err = run(["socket"], **slack_env(slack, SLACK_APP_TOKEN="xoxb-not-an-app-token")).finish()
    assert code == 2
    assert_one_line(err, "SLACK_APP_TOKEN", "xapp-")
    assert "xoxb-not-an-app-token" not in err


def test_a_rejected_app_token_stops_socket_mode_with_one_line(run, slack: FakeSlackApi) -> None:
    slack.on("apps.connections.open", lambda fake, body: {"ok": False, "error": "invalid_auth"})
    code, err = run(["socket"], **slack_env(slack, SLACK_APP_TOKEN=APP_TOKEN)).finish()
    assert code == 2
    assert_one_line(err, "SLACK_APP_TOKEN", "invalid_auth")  # and no Bolt warning about the token
    assert APP_TOKEN not in err
    [opened] = slack.calls_to("apps.connections.open")
    assert opened.auth == f"Bearer {APP_TOKEN}"


def test_ctrl_c_in_socket_mode_prints_one_line(run, slack: FakeSlackApi) -> None:
    connecting = threading.Event()
    slack.on(
        "apps.connections.open", lambda fake, body: connecting.wait(30) and {"ok": False, "error": "late"}
    )
    kolbot = run(["socket"], **slack_env(slack, SLACK_APP_TOKEN=APP_TOKEN))
    try:
        slack.wait_for_calls("apps.connections.open", timeout=30)  # blocked in the call until released
        kolbot.proc.send_signal(signal.SIGINT)
        code, err = kolbot.finish()
    finally:
        connecting.set()
    assert code == 130
    assert_one_line(err, "Ctrl-C")
    assert "KeyboardInterrupt" not in err


# -- graceful shutdown ---------------------------------------------------------------------


@pytest.fixture
def tikhub() -> Iterator[FakeTikHub]:
    with FakeTikHub("th-shutdown-token") as fake:
        yield fake


def start_serving(run, slack: FakeSlackApi, tikhub: FakeTikHub, grace_s: str) -> tuple[Kolbot, str]:
    kolbot = run(
        ["serve"],
        **slack_env(slack),
        TIKHUB_API_KEY=tikhub.token,
        TIKHUB_BASE_URL=tikhub.url,
        TIKHUB_MAX_RETRIES="0",
        HOST="127.0.0.1",
        PORT="0",
        KOLBOT_SHUTDOWN_GRACE_S=grace_s,
    )
    listening = kolbot.line("kolbot listening on")
    address = listening.split(" on ", 1)[1].split("/", 1)[0]
    assert address.startswith("127.0.0.1:")
    return kolbot, f"http://{address}"


def search_held_at_tikhub(url: str, slack: FakeSlackApi, tikhub: FakeTikHub) -> None:
    tikhub.hold()
    request = SlackRequests(SECRET, response_url=slack.response_url("searcher")).command("护肤 pages=1")
    acked = httpx.post(f"{url}/slack/events", content=request.body, headers=request.headers, timeout=10)
    assert acked.status_code == 200 and "护肤" in acked.text
    tikhub.wait_for_calls(1)  # the search is running, waiting for TikHub


def test_sigterm_tells_users_whose_work_could_not_finish_and_exits_0(
    run, slack: FakeSlackApi, tikhub: FakeTikHub
) -> None:
    kolbot, url = start_serving(run, slack, tikhub, grace_s="0.2")
    search_held_at_tikhub(url, slack, tikhub)
    kolbot.proc.send_signal(signal.SIGTERM)
    kolbot.line("kolbot stopping")
    with pytest.raises(httpx.ConnectError):  # no longer accepting
        httpx.get(f"{url}/healthz", timeout=5)
    [told] = slack.wait_for_calls("response", timeout=30)
    assert told.path == "/response/searcher" and told.body["response_type"] == "ephemeral"
    assert told.body["text"] == error_message(SHUT_DOWN, "zh").text
    code, err = kolbot.finish()
    assert code == 0 and "Traceback" not in err
    assert "1 unfinished request" in "".join(kolbot.stdout)


def test_sigterm_lets_queued_work_finish_within_the_grace_period(
    run, slack: FakeSlackApi, tikhub: FakeTikHub, tmp_path: Path
) -> None:
    database = f"sqlite:///{tmp_path / 'data' / 'kolbot.db'}"
    migrate(database)
    engine = make_engine(database)
    with engine.begin() as conn:  # a claim past its retention, for the server's housekeeping
        conn.execute(
            RequestClaim.__table__.insert().values(key="command:old", claimed_at=datetime(2020, 1, 1))
        )
    kolbot, url = start_serving(run, slack, tikhub, grace_s="60")
    search_held_at_tikhub(url, slack, tikhub)
    kolbot.proc.send_signal(signal.SIGTERM)
    kolbot.line("kolbot stopping")
    tikhub.release()  # the search can finish now, inside the grace period
    code, err = kolbot.finish()
    assert code == 0 and "Traceback" not in err
    [results] = slack.calls_to("response")
    assert results.body["response_type"] == "in_channel" and results.body["blocks"]
    assert kolbot.stdout[-1].strip() == "kolbot stopped"
    with engine.connect() as conn:  # housekeeping ran (it finishes its run before the server exits)
        kept = conn.execute(select(RequestClaim.key)).scalars().all()
    assert "command:old" not in kept and len(kept) == 1  # only the search's own claim is left
    engine.dispose()


@pytest.mark.skipif(not os.environ.get(PG_ENV), reason=f"kolbot worker needs PostgreSQL: {PG_ENV} not set")
def test_a_worker_that_cannot_reach_slack_stops_with_one_line(run) -> None:
    api = f"http://127.0.0.1:{closed_port()}/api/"
    with throwaway_pg_database() as url:
        code, err = run(
            ["worker"],
            DATABASE_URL=url_text(url),
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=api,
        ).finish()
    assert code == 3
    assert_one_line(err, "cannot reach Slack", api)
