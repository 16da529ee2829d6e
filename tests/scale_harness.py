"""Real `kolbot serve`, `kolbot worker` and `kolbot clock` processes on one throwaway PostgreSQL
database, against the fake Slack and the fake TikHub (which records the time of every call).

    def test_x(cluster: Cluster) -> None:
        web = cluster.serve()
        cluster.worker()
        cluster.post(web, cluster.requests().command("护肤 pages=1"))
        cluster.slack.wait_for(lambda: ...)

Load with `pytest_plugins = ["tests.scale_harness"]`; the `cluster` fixture skips, saying why,
when `KOLBOT_TEST_DATABASE_URL` is not set. Workers beat every 0.5 s and count as dead after 3 s,
so work of a killed worker is taken over within seconds (the production bound, 40 s with the
defaults: `bot.queue.takeover_s`, checked in `tests/test_worker_restart.py`).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.db_fixtures import PG_ENV, throwaway_pg_database, url_text
from tests.fakes.signing import SignedRequest, SlackRequests
from tests.fakes.slack_api import _CANNED, FakeSlackApi
from tests.fakes.slack_app import BOT_TOKEN, SECRET
from tests.fakes.tikhub_server import FakeTikHub
from tests.test_server_process import Kolbot, base_env

QUICK_FAILOVER = {"KOLBOT_WORKER_HEARTBEAT_S": "0.5", "KOLBOT_WORKER_STALLED_S": "3"}


class Cluster:
    """Processes started here are killed at the end of the test."""

    def __init__(self, tmp_path: Path, database_url: str, slack: FakeSlackApi, tikhub: FakeTikHub) -> None:
        self.tmp_path, self.database_url, self.slack, self.tikhub = tmp_path, database_url, slack, tikhub
        self.processes: list[Kolbot] = []

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": self.slack.api_url,
            "TIKHUB_API_KEY": self.tikhub.token,
            "TIKHUB_BASE_URL": self.tikhub.url,
            "TIKHUB_MAX_RETRIES": "0",
            "DATABASE_URL": self.database_url,
            "KOLBOT_LOG_LEVEL": "WARNING",
            **QUICK_FAILOVER,
            **extra,
        }

    def start(self, args: list[str], **extra: str) -> Kolbot:
        process = Kolbot(args, base_env(self.tmp_path, **self.env(**extra)), self.tmp_path)
        self.processes.append(process)
        return process

    def serve(self, **extra: str) -> str:
        """Start `kolbot serve`; returns its base URL once it listens."""
        web = self.start(["serve"], HOST="127.0.0.1", PORT="0", **extra)
        address = web.line("kolbot listening on", timeout=60).split(" on ", 1)[1].split("/", 1)[0]
        return f"http://{address}"

    def worker(self, **extra: str) -> Kolbot:
        """Start `kolbot worker`; returns once it runs jobs."""
        worker = self.start(["worker"], **extra)
        worker.line("kolbot worker: running", timeout=60)
        return worker

    def clock(self, **extra: str) -> Kolbot:
        clock = self.start(["clock"], **extra)
        clock.line("kolbot clock: checking", timeout=60)
        return clock

    def requests(self, response: str = "r1", **kwargs: str) -> SlackRequests:
        return SlackRequests(SECRET, response_url=self.slack.response_url(response), **kwargs)

    @staticmethod
    def post(url: str, request: SignedRequest) -> httpx.Response:
        answer = httpx.post(f"{url}/slack/events", content=request.body, headers=request.headers, timeout=30)
        assert answer.status_code == 200, answer.text
        return answer

    def query(self, sql: str) -> list[tuple]:
        with psycopg.connect(self.database_url.replace("+psycopg", "")) as conn:
            return conn.execute(sql).fetchall()

    def kill_workers(self) -> None:
        for process in self.processes:
            if process.args[0] == "worker":
                process.kill()

    def jobs(self, *statuses: str) -> int:
        """How many queued jobs are in one of `statuses` (all of them when none is given)."""
        with psycopg.connect(self.database_url.replace("+psycopg", "")) as conn:
            where = "WHERE status::text = ANY(%s)" if statuses else ""
            params = (list(statuses),) if statuses else ()
            return conn.execute(f"SELECT count(*) FROM procrastinate_jobs {where}", params).fetchone()[0]

    def wait_until_queue_empty(self, timeout: float = 60) -> None:
        """Until no job is waiting or running (finished jobs are deleted)."""
        wait_until(lambda: self.jobs("todo", "doing") == 0, timeout, "the queue to empty")

    def kill_all(self) -> None:
        for process in self.processes:
            process.kill()


def hold_first(slack: FakeSlackApi, method: str) -> tuple[threading.Event, threading.Event]:
    """The first `method` call waits (inside the fake) until `release` is set; `held` is set once
    it arrived. Later calls are answered as usual."""
    held, release = threading.Event(), threading.Event()
    canned = _CANNED[method]

    def handler(fake: FakeSlackApi, body: dict) -> dict:
        if not held.is_set():
            held.set()
            release.wait(60)
        return canned(fake, body)

    slack.on(method, handler)
    return held, release


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll the database-side `condition` (no process notifies the test of it) until it holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    if not os.environ.get(PG_ENV):
        pytest.skip(f"needs PostgreSQL: set {PG_ENV} (scripts/test does when PostgreSQL answers)")
    with throwaway_pg_database() as url, FakeSlackApi() as slack, FakeTikHub("th-scale-token") as tikhub:
        cluster = Cluster(tmp_path, url_text(url), slack, tikhub)
        try:
            yield cluster
        finally:
            cluster.kill_all()
