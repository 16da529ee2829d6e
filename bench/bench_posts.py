"""What committing a post's intent first adds to each message a queued job posts (issue 10 §1).

Run from the repository root: `.venv/bin/python -m bench.bench_posts`. Prints figures only.
Times `chat.postMessage` through `bot.post_once.once_client` against the fake Slack on loopback,
as shipped (recall, intent, post, record) and without the intent (recall, post, record: kolbot
before the intent), rounds alternating in one run, on SQLite and, when it answers, PostgreSQL
(`KOLBOT_TEST_DATABASE_URL`, default the local server; a throwaway database).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import psycopg
from slack_sdk import WebClient

from bot import post_once
from bot.db.engine import make_engine, session_factory
from bot.db.migrate import migrate
from bot.post_once import JobRun, once_client
from bot.queue import JobInfo
from bot.store.job_posts import JobPosts
from tests.db_fixtures import PG_ENV, throwaway_pg_database, url_text
from tests.fakes.slack_api import FakeSlackApi

POSTS = 100  # per round
ROUNDS = 6  # alternating: with the intent, without it


def per_post_ms(client: WebClient, posts: JobPosts, round_no: int) -> list[float]:
    run = JobRun(JobInfo("bench", f"bench-job-{round_no}", 0, False), posts)
    wrapped = once_client(client, run)
    times = []
    for n in range(POSTS):
        start = time.perf_counter()
        wrapped.chat_postMessage(channel="C0BENCH", text=f"message {n}")
        times.append((time.perf_counter() - start) * 1000)
    return times


def compare(url: str, slack: FakeSlackApi) -> dict[str, list[float]]:
    migrate(url)
    posts = JobPosts(session_factory(make_engine(url)))
    client = WebClient(token="xoxb-bench", base_url=slack.api_url)
    per_post_ms(client, posts, -1)  # warm up connections
    found: dict[str, list[float]] = {"with the intent": [], "without it": []}
    for round_no in range(ROUNDS):
        if round_no % 2 == 0:
            found["with the intent"] += per_post_ms(client, posts, round_no)
        else:
            with mock.patch.object(post_once, "FINDABLE", frozenset()):
                found["without it"] += per_post_ms(client, posts, round_no)
    return found


def databases() -> Iterator[tuple[str, str]]:
    """SQLite in a temporary directory, then a throwaway PostgreSQL database when one answers."""
    with tempfile.TemporaryDirectory() as tmp:
        yield "SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}"
    os.environ.setdefault(PG_ENV, "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    try:
        with throwaway_pg_database() as pg:
            yield "PostgreSQL", url_text(pg)
    except psycopg.OperationalError as error:  # no server: SQLite's figures only
        print(f"PostgreSQL skipped: {error!r}")


def main() -> None:
    print(f"chat.postMessage in a job, {POSTS * ROUNDS // 2} posts each way, median / p95 ms:")
    with FakeSlackApi() as slack:
        for name, url in databases():
            for way, times in compare(url, slack).items():
                times.sort()
                p95 = times[int(len(times) * 0.95)]
                print(f"  {name:<10} {way:<16} {statistics.median(times):6.2f} / {p95:6.2f}")


if __name__ == "__main__":
    main()
