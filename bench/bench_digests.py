"""Digest fan-out benchmark (issue 4): 500 digests in 200 channels sharing 50 queries, all due at once.

    .venv/bin/python -m bench.bench_digests [--delay SECONDS] [--throttle N]

Everything stays on loopback. This process runs the fake TikHub (every keyword is answered with
the synthetic pages of the demo keyword 美妆, after `--delay` seconds) and the fake Slack API,
creates the digests in a fresh SQLite database, then starts the real clock process once
(`python -m bot.cli clock --once`, default settings: 1 message per second per channel, TikHub
limited to 5 calls per second) and waits for it to drain. `--throttle N` makes Slack answer the
first N posts with HTTP 429 (Retry-After: 1), which the clock must wait out.

It prints the figures with PASS/FAIL against the targets and exits 1 when one fails. The clock
process is killed if it runs past the time budget, so the whole run stays under 3 minutes.
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import SecretStr
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select, update

from bot.db.tables import DigestRow, DigestRunRow
from bot.demo.synth import search_body
from bot.services import build_services
from bot.settings import Settings
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.tikhub_server import FakeTikHub

DIGESTS, CHANNELS, QUERIES, PAGES = 500, 200, 50, 2
TEAM, USER = "T0BENCH", "U0BENCH"
BOT_TOKEN = "xoxb-bench-bot-token"
PAGE_THEME = "美妆"
CLOCK_BUDGET_S = 170.0
_APP_ENV_PREFIXES = ("SLACK_", "TIKHUB_", "KOLBOT_", "DATABASE_URL", "PORT")


@dataclass(frozen=True)
class Figure:
    name: str
    measured: str
    target: str = ""
    ok: bool | None = None  # None: informational


@dataclass(frozen=True)
class ClockRun:
    wall_s: float
    exit_code: int | None  # None: killed at the budget
    peak_rss_mb: float
    output: str


def theme_page(params: dict[str, str]) -> dict[str, Any]:
    """Fake TikHub `search_kol_v1` data: the demo theme's synthetic page, whatever the keyword."""
    return search_body(PAGE_THEME, int(params["page"]))["data"]


def child_env(tikhub: FakeTikHub, slack: FakeSlackApi, data_dir: Path) -> dict[str, str]:
    """This environment without kolbot's own settings, plus the fakes' addresses and tokens."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_APP_ENV_PREFIXES)}
    env.update(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_API_URL=slack.api_url,
        TIKHUB_API_KEY=tikhub.token,
        TIKHUB_BASE_URL=tikhub.url,
        KOLBOT_DATA_DIR=str(data_dir),
    )
    return env


def create_digests(settings: Settings) -> None:
    """500 digests, channel i % 200 and query i % 50, each due at this very minute in Shanghai."""
    services = build_services(settings)
    minute = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%H:%M")
    try:
        for i in range(DIGESTS):
            text = f'"品牌{i % QUERIES:02d} er>=1%" daily {minute} pages={PAGES} top=10'
            services.digests.add(TEAM, f"C{i % CHANNELS:04d}", USER, text, "zh")
        with services.engine.begin() as conn:  # never ran: due now (see `due_run`)
            conn.execute(update(DigestRow).values(last_period_key=None))
    finally:
        services.close()


def run_clock(env: dict[str, str]) -> ClockRun:
    """`kolbot clock --once` as its own process; its peak RSS comes from `wait4`."""
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "clock", "--once"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = proc.communicate(timeout=CLOCK_BUDGET_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        output, _ = proc.communicate()
        return ClockRun(time.monotonic() - started, None, 0.0, output)
    # `communicate` reaped the child; its rusage is what RUSAGE_CHILDREN reports (the only child).
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return ClockRun(time.monotonic() - started, proc.returncode, peak_kb / 1024, output)


def per_channel_peak(slack: FakeSlackApi) -> tuple[int, float, float]:
    """(most posts one channel received within any 1 s window, smallest gap in a channel, drain s)."""
    times: dict[str, list[float]] = defaultdict(list)
    calls = slack.calls_to("chat.postMessage")
    for call in calls:
        times[call.body["channel"]].append(call.received_at)
    peak, smallest = 0, float("inf")
    for stamps in times.values():
        stamps.sort()
        for i, start in enumerate(stamps):
            peak = max(peak, sum(1 for t in stamps[i:] if t < start + 1.0))
        smallest = min([smallest, *(b - a for a, b in itertools.pairwise(stamps))])
    all_times = [c.received_at for c in calls]
    drain = max(all_times) - min(all_times) if all_times else 0.0
    return peak, smallest, drain


def run_outcomes(settings: Settings) -> Counter[str]:
    services = build_services(settings)
    try:
        with services.engine.connect() as conn:
            rows = conn.execute(select(DigestRunRow.status, func.count()).group_by(DigestRunRow.status))
            return Counter({status: n for status, n in rows})
    finally:
        services.close()


def measure(delay: float, throttle: int, work: Path) -> tuple[list[Figure], str]:
    with FakeTikHub(delay_s=delay) as tikhub, FakeSlackApi() as slack:
        tikhub.add_route("search_kol_v1", theme_page)
        env = child_env(tikhub, slack, work)
        settings = Settings(
            _env_file=None,
            slack_bot_token=SecretStr(BOT_TOKEN),
            slack_api_url=slack.api_url,
            tikhub_api_key=SecretStr(tikhub.token),
            tikhub_base_url=tikhub.url,
            kolbot_data_dir=work,
        )
        create_digests(settings)
        if throttle:
            slack.throttle("chat.postMessage", retry_after=1, times=throttle)
        clock = run_clock(env)
        peak, gap, drain = per_channel_peak(slack)
        posted = len(slack.calls_to("chat.postMessage"))
        upstream = tikhub.calls
    outcomes = run_outcomes(settings)
    target_calls = QUERIES * PAGES
    figures = [
        Figure("Clock process", f"exit {clock.exit_code}", "exit 0", clock.exit_code == 0),
        Figure(
            "Runs posted",
            f"{outcomes.get('posted', 0)} of {DIGESTS} ({dict(outcomes)})",
            "all",
            outcomes.get("posted") == DIGESTS,
        ),
        Figure(
            "Slack posts received",
            f"{posted} ({throttle} answered 429 first)",
            f"{DIGESTS + throttle}",
            posted == DIGESTS + throttle,
        ),
        Figure(
            "Upstream calls",
            str(upstream),
            f"≤ {target_calls} ({QUERIES} queries × {PAGES} pages)",
            upstream <= target_calls,
        ),
        Figure("Max posts per channel in any 1 s", str(peak), "≤ 1", peak <= 1),
        Figure("Smallest gap between posts in a channel", f"{gap:.3f} s", "", None),
        Figure("Time to drain (first to last post)", f"{drain:.1f} s", "", None),
        Figure(
            "Clock process wall time (start-up included)",
            f"{clock.wall_s:.1f} s",
            f"< {CLOCK_BUDGET_S:.0f} s",
            clock.exit_code is not None,
        ),
        Figure("Peak RSS of the clock process", f"{clock.peak_rss_mb:.0f} MB", "", None),
    ]
    return figures, clock.output


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=0.2, help="fake TikHub answer delay, seconds")
    parser.add_argument("--throttle", type=int, default=5, help="first N Slack posts get HTTP 429")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kolbot-bench-digests-") as work:
        figures, clock_output = measure(args.delay, args.throttle, Path(work))
    table = Table(
        title=f"{DIGESTS} digests · {CHANNELS} channels · {QUERIES} queries · TikHub delay {args.delay:g} s"
    )
    for column in ("Figure", "Measured", "Target", ""):
        table.add_column(column)
    for f in figures:
        table.add_row(f.name, f.measured, f.target, "" if f.ok is None else ("PASS" if f.ok else "FAIL"))
    console = Console()
    console.width = max(console.width, 120)
    console.print(table)
    if not all(f.ok is not False for f in figures):
        print("clock output (last lines):\n" + "\n".join(clock_output.splitlines()[-20:]))
    return 0 if all(f.ok is not False for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
