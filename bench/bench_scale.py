"""Scale-out benchmark (issue 10 §4): kolbot as serve + worker + clock processes on PostgreSQL.

    KOLBOT_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python -m bench.bench_scale [--quick]

Everything stays on loopback: the fake TikHub and fake Slack from `tests/fakes`, a throwaway
PostgreSQL database, real `kolbot serve` / `kolbot worker` / `kolbot clock` processes
(`tests/scale_harness.py`) and, as the baseline, a bare Bolt app whose `/kol` listener only acks
(`bench.bench_search --serve bare`). Figures, each from this one run:

- ack p50 / p99 of N concurrent `/kol` searches (sent by `bench.burst`, all in flight at once),
  kolbot (serve claims, enqueues and acks) against the bare app, for N = 100 and 300, both bursts
  one after the other with no worker running (they would share this machine's two cores; they
  finish the jobs once the acks are in); then the same
  with the requests alternating between two `kolbot serve` processes, as a load balancer spreads
  them (the bare app stays one process);
- command → delivered results, queue path (serve + worker) against the in-process path (serve
  with `KOLBOT_QUEUE=false` on the same database), warm cache, median of sequential searches;
- warm-cache searches completed per minute with 1 worker and with 2 (ratio);
- the cost of enqueueing one job (ms, procrastinate `defer` from a synchronous caller);
- peak RSS (VmHWM) of each process type.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
import psycopg
from psycopg import sql
from rich.console import Console
from rich.table import Table

from bench.bench_search import SIGNING_SECRET, ServingProcess, child_env, timed_post
from bench.burst import AckRun, post_concurrently
from bot.queue import JobQueue
from bot.settings import Settings
from tests.db_fixtures import PG_ENV, throwaway_pg_database, url_text
from tests.fakes.signing import SlackRequests
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.tikhub_server import FakeTikHub
from tests.scale_harness import Cluster

KEYWORD = "护肤"  # every search asks for the same page: after the first, the cache is warm


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024 / 1e6
    return float("nan")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 0.01 else f"{seconds * 1000:.0f} ms"


def acks(url: str | list[str], requests: SlackRequests, count: int) -> AckRun:
    signed = [requests.command(f"{KEYWORD} pages=1") for _ in range(count)]
    return post_concurrently(url, signed)


def sequential_ack_s(url: str, requests: SlackRequests, count: int = 50) -> float:
    """Median ack time of searches sent one at a time: the web process's own cost per request."""
    with httpx.Client(timeout=30) as client:
        times = [timed_post(client, url, requests.command(f"{KEYWORD} pages=1"))[0] for _ in range(count)]
    return statistics.median(times)


def delivered_s(cluster: Cluster, web: str, name: str) -> float:
    started = time.perf_counter()
    cluster.post(web, cluster.requests(name).command(f"{KEYWORD} pages=1"))
    cluster.slack.wait_for(lambda: bool(cluster.slack.responses(name)), timeout=60)
    return time.perf_counter() - started


def per_minute(cluster: Cluster, web: str, count: int, tag: str) -> float:
    names = [f"{tag}{i}" for i in range(count)]
    started = time.perf_counter()
    for name in names:
        cluster.post(web, cluster.requests(name).command(f"{KEYWORD} pages=1"))
    cluster.slack.wait_for(lambda: all(cluster.slack.responses(n) for n in names), timeout=300)
    return count / (time.perf_counter() - started) * 60


def durable_commits(database_url: str) -> None:
    """Undo the throwaway database's `synchronous_commit = off`: kolbot's acks wait for a durable
    commit in production, so they do here (new connections, i.e. every process started after)."""
    with psycopg.connect(database_url.replace("+psycopg", ""), autocommit=True) as conn:
        name = conn.info.dbname
        conn.execute(sql.SQL("ALTER DATABASE {} SET synchronous_commit = on").format(sql.Identifier(name)))


def paired_bursts(
    bare: tuple[str, SlackRequests], ours: tuple[str | list[str], SlackRequests], size: int, rounds: int
) -> list[tuple[AckRun, AckRun]]:
    """`rounds` pairs of bursts of `size` searches, (bare, kolbot): each pair back to back, which
    goes first alternating, so drift in the machine's load affects both alike."""
    pairs = []
    for n in range(rounds):
        if n % 2 == 0:
            theirs = acks(*bare, size)
            kolbot = acks(*ours, size)
        else:
            kolbot = acks(*ours, size)
            theirs = acks(*bare, size)
        pairs.append((theirs, kolbot))
    return pairs


def pooled(runs: list[AckRun]) -> AckRun:
    """The acks of several bursts as one."""
    return AckRun([s for run in runs for s in run.latencies_s], [c for run in runs for c in run.statuses])


def add_ack_rows(
    table: Table, label: str, pairs: list[tuple[AckRun, AckRun]], size: int, p99_limit: float | None
) -> None:
    """p50 and p99 of all the rounds' acks pooled, kolbot against bare; the rounds' own p50 ratios."""
    base, ours = pooled([b for b, _ in pairs]), pooled([k for _, k in pairs])
    p50, p99 = ours.quantile(50), ours.quantile(99)
    per_round = sorted(k.quantile(50) / b.quantile(50) for b, k in pairs)
    table.add_row(
        f"ack p50, {label} ({len(pairs)} rounds pooled)",
        f"{ms(p50)} vs bare {ms(base.quantile(50))} ({p50 / base.quantile(50):.2f}×); "
        f"rounds {per_round[0]:.2f}–{per_round[-1]:.2f}×, median {statistics.median(per_round):.2f}×",
        "≤ 1.2× bare",
    )
    table.add_row(
        f"ack p99, {label}",
        f"{ms(p99)} vs bare {ms(base.quantile(99))}; {ours.in_time}/{size * len(pairs)} within 3 s"
        f" (slowest {ms(max(ours.latencies_s))}; statuses {dict(Counter(ours.statuses))})",
        f"< {ms(p99_limit)}" if p99_limit else "",
    )


def drain(cluster: Cluster) -> None:
    """Two workers finish every queued job, then stop: the next burst meets a quiet machine."""
    for _ in range(2):
        cluster.worker()
    cluster.wait_until_queue_empty(timeout=600)
    cluster.kill_workers()


def enqueue_ms(database_url: str, count: int) -> float:
    queue = JobQueue(Settings(_env_file=None, database_url=database_url)).open()
    try:
        deferrer = queue.app.configure_task("bench.noop", queue="bench")  # no worker listens there
        started = time.perf_counter()
        for n in range(count):
            deferrer.defer(n=n)
        return (time.perf_counter() - started) / count
    finally:
        queue.close()


def run(quick: bool, rounds: int) -> Table:
    sizes = (30, 60) if quick else (100, 300)
    table = Table("figure", "measured", "target")
    work = Path(tempfile.mkdtemp(prefix="kolbot-bench-scale-"))
    with throwaway_pg_database() as url, FakeSlackApi() as slack, FakeTikHub("th-bench-token") as tikhub:
        database_url = url_text(url)
        durable_commits(database_url)
        cluster = Cluster(work, database_url, slack, tikhub)
        bare = ServingProcess("bare", child_env(tikhub, slack, work / "bare"), work / "bare.log")
        try:
            web = cluster.serve()
            for _ in range(2):
                cluster.worker()
            clock = cluster.clock()
            delivered_s(cluster, web, "warm")  # the cache is warm from here on
            bare_requests = SlackRequests(SIGNING_SECRET, response_url=slack.response_url("bare"))
            cluster.kill_workers()
            alone = sequential_ack_s(f"{web}/slack/events", cluster.requests("alone"))
            table.add_row(
                "ack, one search at a time (median of 50)",
                f"{ms(alone)} vs bare {ms(sequential_ack_s(bare.url, bare_requests))}",
                "",
            )
            drain(cluster)
            # The workers run on other machines in production; here they would share the two
            # cores with the web processes, so the bursts are measured while none runs (and none is
            # dying); they finish the jobs once a size's bursts are in.
            for size in sizes:
                single = (f"{web}/slack/events", cluster.requests(f"ack{size}"))
                bursts = paired_bursts((bare.url, bare_requests), single, size, rounds)
                drain(cluster)
                add_ack_rows(table, f"{size} concurrent", bursts, size, 0.3 if size <= 100 else 1.0)
            # The deployment the issue describes: several web processes behind a load balancer.
            second = cluster.serve()
            spread = [f"{w}/slack/events" for w in (web, second)]
            for size in sizes:
                bursts = paired_bursts(
                    (bare.url, bare_requests), (spread, cluster.requests(f"two{size}")), size, rounds
                )
                drain(cluster)
                add_ack_rows(table, f"{size} concurrent, 2 web processes", bursts, size, None)
            workers = [cluster.worker(), cluster.worker()]
            queued = statistics.median(delivered_s(cluster, web, f"q{i}") for i in range(5))
            embedded = cluster.serve(KOLBOT_QUEUE="false")
            in_process = statistics.median(delivered_s(cluster, embedded, f"p{i}") for i in range(5))
            table.add_row(
                "command → delivered, warm cache (median of 5)",
                f"queue {ms(queued)} vs in-process {ms(in_process)} (+{ms(queued - in_process)})",
                "≤ +100 ms",
            )
            workers[1].kill()
            count = 20 if quick else 60
            one = per_minute(cluster, web, count, "one")
            workers.append(cluster.worker())
            two = per_minute(cluster, web, count, "two")
            table.add_row(
                "warm searches per minute, 1 worker vs 2",
                f"{one:.0f} vs {two:.0f} ({two / one:.2f}×; 2 cores shared by all processes)",
                "ratio",
            )
            table.add_row("enqueue one job", f"{enqueue_ms(database_url, 200) * 1000:.2f} ms", "")
            rss = {
                "serve": peak_mb(cluster.processes[0].proc.pid),
                "worker": peak_mb(workers[0].proc.pid),
                "clock": peak_mb(clock.proc.pid),
            }
            table.add_row("peak RSS", ", ".join(f"{k} {v:.0f} MB" for k, v in rss.items()), "")
        finally:
            bare.stop()
            cluster.kill_all()
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller loads (a smoke run)")
    parser.add_argument("--rounds", type=int, default=5, help="pairs of bursts per size (default 5)")
    args = parser.parse_args(argv)
    if not os.environ.get(PG_ENV):
        print(f"bench_scale needs PostgreSQL: set {PG_ENV}", file=sys.stderr)
        return 2
    console = Console()
    console.print(run(args.quick, args.rounds))
    console.print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
