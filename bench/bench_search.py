"""Search benchmark (issue 2 §10): what a `/kol` search costs in latency, upstream calls and memory.

    .venv/bin/python -m bench.bench_search [--delay SECONDS] [--quick]

Everything stays on loopback. This process runs a fake TikHub that answers after `--delay`
seconds and a fake Slack API (both from `tests/fakes`), and starts two serving processes from
this same file (`--serve kolbot|bare`): kolbot's app and a bare Bolt app whose `/kol` listener
only acks, each behind the real waitress server on 127.0.0.1 port 0. Every keyword is served the
synthetic pages of one demo keyword, so each search misses the cache yet gets full pages.

It prints one table of figures against the issue's targets (PASS/FAIL) and exits 1 when a target
fails. Waits are bounded by a total time budget, so a broken server cannot hang the run.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table
from slack_bolt import Ack, App

from bench.burst import AckRun, post_concurrently
from bot.cards.views import results_message
from bot.demo.synth import search_body
from bot.grammar import parse_query
from bot.models import Query, ScoredCreator, SearchResult, SearchStats
from bot.parsing import parse_search_data
from bot.scoring import score_cohort
from bot.settings import PriceUnit, Settings
from bot.slack_clients import SlackClients
from handlers.app import build_app
from handlers.server import EVENTS_PATH, make_server
from tests import REPO_ROOT
from tests.fakes.signing import SignedRequest, SlackRequests
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.tikhub_server import FakeTikHub

SIGNING_SECRET = "bench-signing-secret"
BOT_TOKEN = "xoxb-bench-bot-token"
TIKHUB_TOKEN = "bench-tikhub-token"
PAGE_THEME = "美妆"  # the demo keyword whose synthetic pages answer every bench keyword
BUDGET_S = 150.0  # shared by every wait; with start-up and core timing the run stays under 3 minutes
START_TIMEOUT_S = 30.0
_APP_ENV_PREFIXES = ("SLACK_", "TIKHUB_", "KOLBOT_", "DATABASE_URL", "PORT")


@dataclass(frozen=True)
class Plan:
    """How much load each measurement uses; `--quick` shrinks it."""

    commands: int = 100  # concurrent /kol commands for the ack latency
    delivery_runs: int = 5  # sequential searches per page count (median reported)
    identical: int = 50  # identical concurrent searches for the upstream-call count
    core_sizes: tuple[int, ...] = (20, 2000)
    core_repeats: int = 5


QUICK = Plan(commands=30, delivery_runs=2, identical=10, core_repeats=2)


@dataclass(frozen=True)
class Figure:
    name: str
    measured: str
    target: str = ""
    ok: bool | None = None  # None: informational, no target


class Budget:
    """A deadline shared by every wait of the run."""

    def __init__(self, seconds: float) -> None:
        self._end = time.monotonic() + seconds

    def left(self, cap: float) -> float:
        return max(0.0, min(cap, self._end - time.monotonic()))


# -- serving processes ------------------------------------------------------------------------


def serve(kind: str) -> None:
    """Child side: serve kolbot's app or the bare app on 127.0.0.1:0 and print the port."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings(_env_file=None)
    app = build_app(settings) if kind == "kolbot" else bare_app(settings)
    server = make_server(settings, app, host="127.0.0.1", port=0)
    threading.Thread(target=_exit_with_parent, daemon=True).start()
    print(json.dumps({"port": server.effective_port}), flush=True)
    server.run()


def bare_app(settings: Settings) -> App:
    """The baseline: a Bolt app with one `/kol` listener that only acks."""
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    app = App(client=SlackClients(settings).app_client, signing_secret=secret)
    app.command(settings.kolbot_command)(_ack_only)
    return app


def _ack_only(ack: Ack) -> None:
    ack()


def _exit_with_parent() -> None:
    """Stop as soon as the benchmark closes our stdin (or dies), whatever the server is doing."""
    sys.stdin.buffer.read()
    os._exit(0)


class ServingProcess:
    """A `--serve` child process; its stderr goes to `log_path`."""

    def __init__(self, kind: str, env: dict[str, str], log_path: Path) -> None:
        self.kind, self.log_path = kind, log_path
        with log_path.open("ab") as log:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "bench.bench_search", "--serve", kind],
                cwd=REPO_ROOT,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
            )
        self.url = f"http://127.0.0.1:{self._read_port()}{EVENTS_PATH}"

    def _read_port(self) -> int:
        assert self._proc.stdout is not None
        watchdog = threading.Timer(START_TIMEOUT_S, self._proc.kill)
        watchdog.start()
        line = self._proc.stdout.readline()
        watchdog.cancel()
        if not line:
            raise RuntimeError(f"the {self.kind} server did not start; see {self.log_path}")
        return int(json.loads(line)["port"])

    def memory_mb(self, field: str = "VmHWM") -> float:
        """A /proc status figure in MB (10⁶ bytes): `VmHWM` is the peak resident set, `VmRSS` the current."""
        for line in Path(f"/proc/{self._proc.pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024 / 1e6  # the kernel's "kB" are KiB
        raise RuntimeError(f"no {field} in /proc status")

    def stop(self) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()


def child_env(tikhub: FakeTikHub, slack: FakeSlackApi, data_dir: Path) -> dict[str, str]:
    """This environment without kolbot's own settings, plus the fakes' addresses and tokens."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_APP_ENV_PREFIXES)}
    env.update(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack.api_url,
        TIKHUB_API_KEY=tikhub.token,
        TIKHUB_BASE_URL=tikhub.url,
        KOLBOT_DATA_DIR=str(data_dir),
        KOLBOT_RESULTS_IN_CHANNEL="true",
    )
    return env


def theme_page(params: dict[str, str]) -> dict[str, Any]:
    """Fake TikHub `search_kol_v1` data: `PAGE_THEME`'s synthetic page, whatever the keyword."""
    return search_body(PAGE_THEME, int(params["page"]))["data"]


# -- the HTTP measurements --------------------------------------------------------------------


def timed_post(client: httpx.Client, url: str, request: SignedRequest) -> tuple[float, int]:
    """(seconds until the HTTP response, status; 0 when the connection failed)."""
    started = time.perf_counter()
    try:
        status = client.post(url, content=request.body, headers=request.headers).status_code
    except httpx.HTTPError:
        status = 0
    return time.perf_counter() - started, status


@dataclass
class Rig:
    """The fakes and the run's parameters, shared by the HTTP measurements."""

    tikhub: FakeTikHub
    slack: FakeSlackApi
    plan: Plan
    delay: float
    budget: Budget

    def command(self, text: str, name: str) -> SignedRequest:
        """A signed `/kol text` whose response_url is the fake Slack's `response_url(name)`."""
        return SlackRequests(SIGNING_SECRET, response_url=self.slack.response_url(name)).command(text)

    def answers(self) -> dict[str, bool]:
        """response_url name -> True once it received results (in channel), False for a failure only."""
        out: dict[str, bool] = {}
        for call in self.slack.calls_to("response"):
            name = call.path.rsplit("/", 1)[-1]
            out[name] = out.get(name, False) or call.body.get("response_type") == "in_channel"
        return out

    def wait_answered(self, names: set[str], cap_s: float) -> float | None:
        """`perf_counter()` once every name's response_url got an answer; None on timeout."""
        try:
            self.slack.wait_for(lambda: names <= self.answers().keys(), self.budget.left(cap_s))
        except AssertionError:
            return None
        return time.perf_counter()

    def acks(self, url: str, tag: str) -> tuple[AckRun, set[str]]:
        """`plan.commands` distinct concurrent 1-page searches; the latencies and response names."""
        names = [f"{tag}{i}" for i in range(self.plan.commands)]
        run = post_concurrently(url, [self.command(f"{PAGE_THEME} {n} pages=1", n) for n in names])
        return run, set(names)

    def drain(self, names: set[str], started: float) -> tuple[int, float | None]:
        """How many of `names` got results, and the seconds until all were answered (None: not all)."""
        done = self.wait_answered(names, 120)
        delivered = self.answers()
        return sum(delivered.get(n, False) for n in names), None if done is None else done - started

    def delivery_s(self, url: str, text: str, name: str) -> float | None:
        """Seconds from sending the command to its results reaching response_url; None on failure."""
        with httpx.Client(timeout=30) as client:
            started = time.perf_counter()
            _, status = timed_post(client, url, self.command(text, name))
        done = self.wait_answered({name}, self.delay + 15) if status == 200 else None
        return None if done is None or not self.answers()[name] else done - started

    def upstream_calls(self, url: str) -> tuple[int | None, int | None]:
        """Upstream calls for `plan.identical` identical concurrent searches, then for one more."""
        keyword = f"{PAGE_THEME} same"
        names = {f"same{i}" for i in range(self.plan.identical)}
        post_concurrently(url, [self.command(f"{keyword} pages=3", name) for name in sorted(names)])
        if self.wait_answered(names, 120) is None:
            return None, None
        first = self._calls_for(keyword)
        if self.delivery_s(url, f"{keyword} pages=3", "same-again") is None:
            return first, None
        return first, self._calls_for(keyword) - first

    def _calls_for(self, keyword: str) -> int:
        return sum(r.params.get("keyword") == keyword for r in self.tikhub.requests)


def run_servers(plan: Plan, delay: float, work: Path) -> list[Figure]:
    """The HTTP measurements; both serving processes live only inside this call."""
    with FakeTikHub(TIKHUB_TOKEN, delay_s=delay) as tikhub, FakeSlackApi() as slack:
        tikhub.add_route("search_kol_v1", theme_page)
        rig = Rig(tikhub, slack, plan, delay, Budget(BUDGET_S))
        env = child_env(tikhub, slack, work / "data")
        kolbot = ServingProcess("kolbot", env, work / "kolbot.log")
        try:
            bare = ServingProcess("bare", env, work / "bare.log")
            try:
                post_concurrently(bare.url, [rig.command(f"{PAGE_THEME} warm", "bare-warm")])
                bare_acks, _ = rig.acks(bare.url, "bare")
            finally:
                bare.stop()
            return kolbot_figures(rig, kolbot, bare_acks)
        finally:
            kolbot.stop()


def kolbot_figures(rig: Rig, kolbot: ServingProcess, bare_acks: AckRun) -> list[Figure]:
    url = kolbot.url
    rig.delivery_s(url, f"{PAGE_THEME} warm pages=1", "warm")
    warm_mb = kolbot.memory_mb("VmRSS")
    started = time.perf_counter()
    acks, names = rig.acks(url, "ack")
    drained = rig.drain(names, started)
    one, three = [], []
    for i in range(rig.plan.delivery_runs):
        one.append(rig.delivery_s(url, f"{PAGE_THEME} one{i} pages=1", f"one{i}"))
        three.append(rig.delivery_s(url, f"{PAGE_THEME} three{i} pages=3", f"three{i}"))
    return [
        *ack_figures(bare_acks, acks, drained),
        *delivery_figures(one, three, rig.delay),
        *upstream_figures(rig.plan.identical, *rig.upstream_calls(url)),
        rss_figure(kolbot.memory_mb(), warm_mb),
    ]


# -- core timing ------------------------------------------------------------------------------


def synthetic_authors(n: int) -> list[dict[str, Any]]:
    """`n` distinct synthetic authors from `bot.demo.synth` pages of generated keywords."""
    seen: dict[str, dict[str, Any]] = {}
    for i in range(n):
        for page in (1, 2):
            for author in search_body(f"bench{i}", page)["data"]["authors"]:
                seen.setdefault(author["star_id"], author)
        if len(seen) >= n:
            break
    return list(seen.values())[:n]


def core_ms(n: int, repeats: int) -> tuple[float, float, float]:
    """Median milliseconds to parse, score and render one cohort of `n` creators."""
    data = {"authors": synthetic_authors(n), "pagination": {"has_more": True, "total_count": n}}
    query = parse_query(PAGE_THEME)
    _core_once(data, query)  # warm-up: template compilation and first-use imports
    samples = [_core_once(data, query) for _ in range(repeats)]
    parse, score, render = (statistics.median(s[i] for s in samples) * 1000 for i in range(3))
    return parse, score, render


def _core_once(data: dict[str, Any], query: Query) -> tuple[float, float, float]:
    t0 = time.perf_counter()
    parsed = parse_search_data(data, PriceUnit.YUAN)
    t1 = time.perf_counter()
    scored = score_cohort(parsed.creators, query.goal, query.duration)
    t2 = time.perf_counter()
    message = results_message(_result(query, scored), "zh", search_ref="bench00001")
    t3 = time.perf_counter()
    if not message.blocks:
        raise RuntimeError("the results card fell back to plain text; core timing would be wrong")
    return t1 - t0, t2 - t1, t3 - t2


def _result(query: Query, scored: list[ScoredCreator]) -> SearchResult:
    stats = SearchStats(
        pages_requested=query.page_numbers,
        pages_fetched=len(query.page_numbers),
        creators_seen=len(scored),
        matched=len(scored),
        has_more=True,
    )
    return SearchResult(query=query, creators=scored, stats=stats)


# -- figures and report -----------------------------------------------------------------------


def ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:,.0f} ms"


def ack_figures(bare: AckRun, kolbot: AckRun, drained: tuple[int, float | None]) -> list[Figure]:
    n = len(kolbot.latencies_s)
    (b50, b99), (k50, k99) = (
        (bare.quantile(50), bare.quantile(99)),
        (kolbot.quantile(50), kolbot.quantile(99)),
    )
    delivered, seconds = drained
    return [
        Figure(f"Ack p50 / p99, bare Bolt app ({n} concurrent)", f"{ms(b50)} / {ms(b99)}"),
        Figure(
            "Ack p50, kolbot",
            f"{ms(k50)} ({k50 / b50:.1f}× bare)",
            f"≤ 1.5× bare ({ms(1.5 * b50)})",
            k50 <= 1.5 * b50,
        ),
        Figure(
            "Ack p99, kolbot",
            f"{ms(k99)} ({k99 / b99:.1f}× bare)",
            f"≤ 1.5× bare ({ms(1.5 * b99)}) and < 300 ms",
            k99 <= 1.5 * b99 and k99 < 0.3,
        ),
        Figure(
            "Acks: HTTP 200 within Slack's 3 s, kolbot",
            f"{kolbot.in_time}/{n}",
            f"{n}/{n}",
            kolbot.in_time == n,
        ),
        Figure("Results delivered after that burst", f"{delivered}/{n} in {_seconds(seconds)}"),
    ]


def _seconds(seconds: float | None) -> str:
    return "— (not all answered in time)" if seconds is None else f"{seconds:.1f} s"


def _median(samples: list[float | None]) -> float | None:
    """Median of the runs, or None when any run failed."""
    known = [s for s in samples if s is not None]
    return statistics.median(known) if known and len(known) == len(samples) else None


def delivery_figures(one: list[float | None], three: list[float | None], delay: float) -> list[Figure]:
    one_med, three_med = _median(one), _median(three)
    runs = f"median of {len(one)}"
    ratio = f" ({three_med / one_med:.2f}× 1-page)" if one_med and three_med else ""
    return [
        Figure(
            f"1-page search: command → results ({runs})",
            ms(one_med),
            f"≤ delay + 150 ms ({ms(delay + 0.15)})",
            one_med is not None and one_med <= delay + 0.15,
        ),
        # Each keyword is new, so page 1 comes first and pages 2-3 follow (issue 11 §4):
        # two round trips; known searches are measured by bench_paging.py (≤ 1.3×).
        Figure(
            f"3-page first-time search: command → results ({runs})",
            ms(three_med) + ratio,
            "≤ 2.1× 1-page" + (f" ({ms(2.1 * one_med)})" if one_med else ""),
            one_med is not None and three_med is not None and three_med <= 2.1 * one_med,
        ),
    ]


def upstream_figures(identical: int, first: int | None, repeat: int | None) -> list[Figure]:
    return [
        Figure(
            f"Upstream calls, {identical} identical concurrent 3-page searches",
            _count(first),
            "3 (one per page)",
            first == 3,
        ),
        Figure("Upstream calls, the same search again within the TTL", _count(repeat), "0", repeat == 0),
    ]


def _count(value: int | None) -> str:
    return "—" if value is None else str(value)


def core_figures(plan: Plan) -> list[Figure]:
    figures = []
    for n in plan.core_sizes:
        parse, score, render = core_ms(n, plan.core_repeats)
        figures.append(
            Figure(
                f"Core, {n:,} creators: parse / score / render (median of {plan.core_repeats})",
                f"{parse:,.1f} / {score:,.1f} / {render:,.1f} ms = {parse + score + render:,.1f} ms",
            )
        )
    return figures


def rss_figure(peak_mb: float, warm_mb: float) -> Figure:
    return Figure(
        "Peak RSS of the kolbot serving process (VmHWM)",
        f"{peak_mb:.0f} MB ({warm_mb:.0f} MB after start-up and one search)",
        "< 150 MB",
        peak_mb < 150,
    )


def log_summary(paths: Sequence[Path], top: int = 3) -> list[str]:
    """The most frequent warning/error lines the serving processes logged."""
    lines = Counter(
        line[:140]
        for path in paths
        if path.exists()
        for line in path.read_text(errors="replace").splitlines()
        if line.startswith(("WARNING", "ERROR", "CRITICAL"))
    )
    return [f"{count}× {line}" for line, count in lines.most_common(top)]


def print_report(figures: Sequence[Figure], header: str, notes: Sequence[str], console: Console) -> None:
    table = Table(title=header, title_justify="left")
    for column in ("Figure", "Measured", "Target", "Result"):
        table.add_column(column)
    for f in figures:
        result = "" if f.ok is None else ("PASS" if f.ok else "FAIL")
        table.add_row(f.name, f.measured, f.target, result)
    console.print(table)
    for note in notes:
        console.print(f"server log: {note}", markup=False)


def machine_line(argv: Sequence[str], *, module: str = "bench_search", title: str = "search") -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    cmd = shlex.join(["python", "-m", f"bench.{module}", *argv])
    return (
        f"kolbot {title} benchmark — {when} — {os.cpu_count()} cores, {platform.machine()}, "
        f"load average {os.getloadavg()[0]:.2f} at the end, Python {platform.python_version()} — {cmd}"
    )


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_search", description=__doc__.split("\n")[0])
    parser.add_argument("--delay", type=float, default=2.0, help="fake TikHub answer delay, seconds")
    parser.add_argument("--quick", action="store_true", help="less load, fewer repeats (about 30 s)")
    parser.add_argument("--serve", choices=("kolbot", "bare"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.delay < 0:
        parser.error("--delay must be zero or more seconds")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    if args.serve:
        serve(args.serve)
        return 0
    logging.basicConfig(level=logging.ERROR)  # the synthetic quirk authors log parse warnings
    plan = QUICK if args.quick else Plan()
    console = Console(width=None if sys.stdout.isatty() else 170)
    with tempfile.TemporaryDirectory(prefix="kolbot-bench-") as tmp:
        work = Path(tmp)
        figures = run_servers(plan, args.delay, work) + core_figures(plan)
        notes = log_summary([work / "kolbot.log", work / "bare.log"])
    print_report(figures, machine_line(argv), notes, console)
    return 1 if any(f.ok is False for f in figures) else 0


if __name__ == "__main__":
    raise SystemExit(main())
