"""Deep-dive speed against the fake TikHub with a 1 s upstream delay, and chart rendering time.

Run from the repository root: `.venv/bin/python -m bench.bench_deepdive`. Prints figures only.
Goals: all 8 routes of a deep-dive in ≤ 1.3 × one call (they run concurrently); a repeat within
the TTL makes zero upstream calls. The client runs at TikHub's advertised 10 requests/s so the
8 calls start together (at the default 5/s the last three wait for the rate limiter).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import TypeVar

from bot import charts
from bot.deepdive.compare import build_comparison
from bot.deepdive.flags import flagged_days
from bot.deepdive.service import DeepDiveService, DemoDeepDiveClient
from bot.demo import synth_detail
from bot.models import Creator, Duration
from bot.sources.tikhub import TikHubClient
from tests.fakes.tikhub_server import FakeTikHub

T = TypeVar("T")

DELAY_S = 1.0
CHART_RUNS = 5


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def served_star_ids() -> list[str]:
    """Demo creators for whom no route refuses (refusals are not cached, by design)."""
    return [
        s
        for s in synth_detail.demo_star_ids()
        if not any(synth_detail.is_refused(r, s) for r in synth_detail.DETAIL_ROUTES)
    ]


def bench_fetch() -> None:
    first, second = served_star_ids()[:2]
    with FakeTikHub(delay_s=DELAY_S) as tikhub:
        for route in synth_detail.DETAIL_ROUTES:
            tikhub.add_route(route, partial(synth_detail.detail_data, route))
        client = TikHubClient(tikhub.settings(kolbot_tikhub_qps=10.0))
        service = DeepDiveService(client)
        one_call, _ = timed(lambda: client.get_json(synth_detail.BASE_INFO, {"kolId": second}))
        # A creator a search returned (Details, or `show` on an id seen in a search): all routes at once.
        seen = Creator(star_id=first, nickname="bench")
        full, dive = timed(lambda: service.deep_dive(first, creator=seen))
        calls_before = tikhub.calls
        repeat, again = timed(lambda: service.deep_dive(first, creator=seen))
        # An id nothing vouches for: its profile first, then the other routes (issue 11 §4) ...
        unvouched, _ = timed(lambda: service.deep_dive(served_star_ids()[2]))
        # ... so an id Xingtu does not know costs one call, not eight.
        calls_before_unknown = tikhub.calls
        service.deep_dive("7000000000000000001")
        unknown_calls = tikhub.calls - calls_before_unknown
        client.close()
    print(f"upstream delay            {DELAY_S:.1f} s")
    print(f"one call                  {one_call:.3f} s")
    print(f"deep-dive, 8 routes       {full:.3f} s  (ratio {full / one_call:.2f} × one call; goal ≤ 1.30)")
    print(f"  upstream calls          {dive.upstream_calls}, cost ${dive.cost_usd:.2f}")
    print(f"repeat within TTL         {repeat * 1000:.1f} ms")
    print(
        f"  upstream calls          {calls_before_unknown - calls_before - 8} (goal 0), "
        f"cache hits {again.cache_hits}/8"
    )
    print(
        f"deep-dive, unvouched id   {unvouched:.3f} s  "
        f"(ratio {unvouched / one_call:.2f} × one call: profile first)"
    )
    print(f"unknown id                {unknown_calls} upstream call(s) (goal 1)")


def bench_charts() -> None:
    service = DeepDiveService(DemoDeepDiveClient())
    star_ids = served_star_ids()
    dive = service.deep_dive(star_ids[0])
    daily_fans, audience = dive.daily_fans.data, dive.audience.data
    assert daily_fans is not None and audience is not None, "the demo serves every part"
    comparison = build_comparison([service.deep_dive(s) for s in star_ids[:5]], Duration.MEDIUM)
    jobs = {
        "follower trend (800×400)": lambda: charts.follower_trend_png(
            daily_fans, flagged_days(dive.flags), "zh"
        ),
        "audience (900×600)": lambda: charts.audience_png(audience, "zh"),
        "compare, 5 creators (800×500)": lambda: charts.compare_png(comparison, "zh"),
    }
    charts.sparkline([1, 2])  # import and font registration outside the timings
    timed(jobs["follower trend (800×400)"])
    for name, job in jobs.items():
        runs = [timed(job)[0] for _ in range(CHART_RUNS)]
        print(f"chart {name:<30} median {statistics.median(runs) * 1000:.0f} ms over {CHART_RUNS} runs")


if __name__ == "__main__":
    bench_fetch()
    bench_charts()
