"""Paging benchmark (issue 11 §4): what pages a search pays for, and what paging costs in latency.

    .venv/bin/python -m bench.bench_paging [--delay SECONDS] [--runs N]

In this process: the fake TikHub (answers after `--delay` seconds) and kolbot's core search
(`SearchService` over `TikHubSource`, response cache off so every page asked is a call, the
default TikHub rate limit of 5 calls/s). Figures, each the median of `--runs` searches:

- upstream calls for a search whose page 1 is empty (`护肤 粉丝>=1亿`, asked with pages=3 and 5);
- calls for a v2 search whose page 1 says only one page exists (`护肤 粉丝>=500w pages=5`);
- 3-page / 1-page latency for a first-time search (nothing known: page 1, then pages 2-3);
- 3-page / 1-page latency for a known search (its extent recorded by an earlier search).

It prints a table against the targets and exits 1 when one fails.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from bot.grammar import parse_query
from bot.search import SearchService
from bot.settings import PriceUnit
from bot.sources.cache import MemoryCache
from bot.sources.extents import SearchExtents
from bot.sources.tikhub import TikHubClient, TikHubSource
from tests.fakes.tikhub_server import FakeTikHub

KEYWORD = "美妆"  # a demo keyword with 5 full pages


@dataclass(frozen=True)
class Figure:
    name: str
    measured: str
    target: str
    ok: bool


class Rig:
    def __init__(self, tikhub: FakeTikHub) -> None:
        self.tikhub = tikhub
        self.client = TikHubClient(tikhub.settings(kolbot_cache_ttl_s=0), sleep=time.sleep)
        self.source = TikHubSource(self.client, PriceUnit.YUAN)

    def calls(self, text: str) -> int:
        before = self.tikhub.calls
        SearchService(self.source, extents=SearchExtents(MemoryCache())).search(parse_query(text))
        return self.tikhub.calls - before

    def seconds(self, text: str, extents: SearchExtents) -> float:
        time.sleep(1.0)  # the rate limiter's bucket refills: each search starts alike
        started = time.perf_counter()
        SearchService(self.source, extents=extents).search(parse_query(text))
        return time.perf_counter() - started


def measure(rig: Rig, runs: int) -> list[Figure]:
    empty3, empty5 = rig.calls("护肤 粉丝>=1亿 pages=3"), rig.calls("护肤 粉丝>=1亿 pages=5")
    one_page = rig.calls("护肤 粉丝>=500w pages=5")
    first: dict[int, list[float]] = {n: [] for n in (1, 3)}
    known: dict[int, list[float]] = {n: [] for n in (1, 3)}
    for _ in range(runs):
        for n in (1, 3):
            first[n].append(rig.seconds(f"{KEYWORD} pages={n}", SearchExtents(MemoryCache())))
            warm = SearchExtents(MemoryCache())
            SearchService(rig.source, extents=warm).search(parse_query(f"{KEYWORD} pages=1"))
            known[n].append(rig.seconds(f"{KEYWORD} pages={n}", warm))
    f1, f3 = statistics.median(first[1]), statistics.median(first[3])
    k1, k3 = statistics.median(known[1]), statistics.median(known[3])
    return [
        Figure(
            "Calls, empty search `护肤 粉丝>=1亿` pages=3 / pages=5",
            f"{empty3} / {empty5}",
            "1 / 1",
            empty3 == empty5 == 1,
        ),
        Figure("Calls, `护肤 粉丝>=500w pages=5` (7 creators, one page)", str(one_page), "1", one_page == 1),
        Figure(
            "First-time search: 1-page / 3-page (median)", f"{f1 * 1000:,.0f} / {f3 * 1000:,.0f} ms", "", True
        ),
        Figure("First-time search: 3-page / 1-page", f"{f3 / f1:.2f}×", "≤ 2.1×", f3 <= 2.1 * f1),
        Figure("Known search: 1-page / 3-page (median)", f"{k1 * 1000:,.0f} / {k3 * 1000:,.0f} ms", "", True),
        Figure("Known search: 3-page / 1-page", f"{k3 / k1:.2f}×", "≤ 1.3×", k3 <= 1.3 * k1),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--delay", type=float, default=1.0, help="seconds the fake TikHub waits per answer")
    parser.add_argument("--runs", type=int, default=5, help="searches per latency figure (median)")
    args = parser.parse_args(argv)
    with FakeTikHub(delay_s=args.delay) as tikhub:
        rig = Rig(tikhub)
        try:
            figures = measure(rig, args.runs)
        finally:
            rig.client.close()
    table = Table(title=f"Paging (fake TikHub delay {args.delay:g} s, {args.runs} runs)")
    for column in ("Figure", "Measured", "Target", "Result"):
        table.add_column(column)
    for f in figures:
        table.add_row(f.name, f.measured, f.target, ("PASS" if f.ok else "FAIL") if f.target else "")
    Console().print(table)
    return 0 if all(f.ok for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
