"""CPU and writes per search (issue 10 §5): core time, write transactions, cache bytes, cold start.

    .venv/bin/python -m bench.bench_core [--quick]

Everything runs on loopback, in this process and a few short-lived `kolbot search` subprocesses:

- core time: `parse_search_data` + `score_cohort` + `results_message` on 200, 2,000 and 20,000
  synthetic authors (`bench_search.core_ms`, median after one warm-up), with the garbage collector
  on (the figure against the target) and paused (the code's own cost);
- write transactions: a `/kol 护肤 pages=3` command through the real Bolt app (fake Slack, fake
  TikHub, SQLite in a temporary directory), then the same command again (every page cached),
  counted with SQLAlchemy events (`tests/fakes/write_log.py`);
- cache bytes per page: the stored (compressed) search pages against their JSON;
- cold start: `kolbot search 护肤` (demo data, database already migrated) in a fresh interpreter,
  against the same command as it started and exited before issue 10 §5 (`BEFORE`).

It prints one table of figures against the issue's targets and exits 1 when a target fails.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from sqlalchemy import Engine, select

from bench.bench_search import Figure, core_ms, machine_line, print_report
from bot import collector
from bot.db.tables import HttpCacheRow
from bot.services import build_services
from bot.store.http_cache import unpack
from handlers.app import build_app
from tests.fakes.signing import SlackRequests
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_app import SECRET, next_response
from tests.fakes.tikhub_server import FakeTikHub
from tests.fakes.write_log import WriteLog

CORE_TARGET_MS = 150.0  # for 2,000 creators
COLD_START_TARGET_S = 1.0
SEARCH = "from bot.cli import run; run(['search', '护肤'])"  # as the `kolbot` command runs it
# `kolbot search` before issue 10 §5: what it imported at start-up (now loaded only when used), and
# an exit without `bot.cli.run`'s `gc.freeze()`.
EAGER_IMPORTS = (
    "import alembic.command, bot.digests.clock, bot.cards.deepdive_views, numpy, bot.deepdive.service,"
    " bot.digests.pipeline, bot.planner.service, bot.home, bot.workspaces, bot.cards.views,"
    " bot.sources.tikhub, bot.observability.metrics, sqlalchemy.dialects.postgresql"
)
BEFORE = f"{EAGER_IMPORTS}; from bot.cli import main; raise SystemExit(main(['search', '护肤']))"
_APP_ENV_PREFIXES = ("SLACK_", "TIKHUB_", "KOLBOT_", "DATABASE_URL", "PORT")


def core_figures(sizes: Sequence[tuple[int, int]]) -> list[Figure]:
    totals: dict[int, float] = {}
    figures = []
    defaults: dict[int, float] = {}
    for n, repeats in sizes:  # Python's default collector first: what kolbot did before bot.collector
        defaults[n] = sum(core_ms(n, repeats))
    threshold = gc.get_threshold()
    collector.tune()  # as `kolbot serve`, `worker` and `clock` run once their start-up is over
    try:
        for n, repeats in sizes:
            parse, score, render = core_ms(n, repeats)
            totals[n] = parse + score + render
            gc.disable()  # the same work without the cyclic collector's pauses: the code's own cost
            try:
                own = sum(core_ms(n, repeats))
            finally:
                gc.enable()
            target = n == 2000
            figures.append(
                Figure(
                    f"Core, {n:,} creators: parse / score / render (median of {repeats})",
                    f"{parse:,.1f} / {score:,.1f} / {render:,.1f} ms = {totals[n]:,.1f} ms "
                    f"(default collector {defaults[n]:,.1f} ms; collector paused {own:,.1f} ms)",
                    f"< {CORE_TARGET_MS:.0f} ms" if target else "",
                    totals[n] < CORE_TARGET_MS if target else None,
                )
            )
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
    if 2000 in totals and 20000 in totals:
        ratio, before = totals[20000] / totals[2000], defaults[20000] / defaults[2000]
        figures.append(
            Figure(
                "Core, 20,000 / 2,000 creators",
                f"{ratio:.1f}× (default collector {before:.1f}×)",
                "≈ 10× (linear)",
            )
        )
    return figures


def write_figures(work: Path) -> list[Figure]:
    """One uncached and one cached 3-page search through the Bolt app; write transactions of each."""
    with FakeSlackApi() as slack, FakeTikHub() as tikhub:
        settings = tikhub.settings(
            slack_bot_token="xoxb-bench-core",
            slack_signing_secret=SECRET,
            slack_api_url=slack.api_url,
            kolbot_data_dir=str(work / "data"),
        )
        services = build_services(settings)
        try:
            app = build_app(settings, services=services)
            requests = SlackRequests(SECRET, response_url=slack.response_url())
            writes = WriteLog(services.engine)
            next_response(app, slack, requests.command("护肤 pages=3"))
            uncached, calls = writes.take(), tikhub.calls
            next_response(app, slack, requests.command("护肤 pages=3"))
            cached = writes.take()
            stored, plain, pages = _cache_sizes(services.engine)
        finally:
            services.close()
    snapshot_writes = sum("creator_snapshots" in t for t in cached)
    return [
        Figure(
            f"Write transactions, uncached 3-page search ({calls} TikHub calls)",
            f"{len(uncached)} (request claim + {len(uncached) - 1})",
            "claim + 1",
            len(uncached) == 2,
        ),
        Figure(
            "Write transactions, the same search cached",
            f"{len(cached)} (request claim + {len(cached) - 1}); snapshot writes {snapshot_writes}",
            "claim + 1; snapshot writes 0",
            len(cached) == 2 and snapshot_writes == 0,
        ),
        Figure(
            f"Cache bytes per search page (mean of {pages})",
            f"{stored / pages / 1024:,.1f} KB stored, {plain / pages / 1024:,.1f} KB of JSON "
            f"({plain / stored:.1f}× smaller)",
        ),
    ]


def _cache_sizes(engine: Engine) -> tuple[int, int, int]:
    """Stored bytes, JSON bytes and number of the cached search pages."""
    with engine.connect() as connection:
        bodies = connection.execute(
            select(HttpCacheRow.body).where(HttpCacheRow.key.like("search_kol%"))
        ).scalars()
        sizes = [(len(b), len(json.dumps(unpack(b), ensure_ascii=False).encode())) for b in bodies]
    return sum(s for s, _ in sizes), sum(p for _, p in sizes), len(sizes) or 1


def cold_start_figures(work: Path, runs: int) -> list[Figure]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_APP_ENV_PREFIXES)}
    env["KOLBOT_DATA_DIR"] = str(work / "cli-data")
    _run(SEARCH, env, work)  # creates and migrates the database
    lazy, eager, bare = [], [], []
    for _ in range(runs):  # interleaved, so load on the machine touches each alike
        lazy.append(_run(SEARCH, env, work))
        eager.append(_run(BEFORE, env, work))
        bare.append(_run("pass", env, work))
    now, before, python = (statistics.median(x) for x in (lazy, eager, bare))
    return [
        Figure(
            f"Cold start, `kolbot search 护肤` (median of {runs})",
            f"{now * 1000:,.0f} ms ({before * 1000:,.0f} ms with the imports and exit of before: "
            f"{before / now:.2f}×; bare Python {python * 1000:,.0f} ms)",
            f"< {COLD_START_TARGET_S * 1000:.0f} ms",
            now < COLD_START_TARGET_S,
        )
    ]


def _run(code: str, env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m bench.bench_core", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, no 20,000-creator cohort")
    args = parser.parse_args(argv)
    for name in [n for n in os.environ if n.startswith(_APP_ENV_PREFIXES)]:
        del os.environ[name]  # the in-process app reads only the settings given here
    logging.basicConfig(level=logging.ERROR)  # the synthetic quirk authors log parse warnings
    sizes = [(200, 3), (2000, 3)] if args.quick else [(200, 5), (2000, 5), (20000, 3)]
    with tempfile.TemporaryDirectory(prefix="kolbot-bench-core-") as tmp:
        work = Path(tmp)
        figures = core_figures(sizes) + write_figures(work) + cold_start_figures(work, 3 if args.quick else 7)
    print_report(
        figures,
        machine_line(argv, module="bench_core", title="core"),
        [],
        Console(width=None if sys.stdout.isatty() else 170),
    )
    return 1 if any(f.ok is False for f in figures) else 0


if __name__ == "__main__":
    raise SystemExit(main())
