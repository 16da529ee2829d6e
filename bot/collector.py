"""Python's cyclic garbage collector, set for kolbot's processes (issue 10 §5).

A search parses and scores every creator of its pages, about 24 tracked objects each. With the
default threshold (a young collection every 700 allocations) a large search triggers many full
collections, each scanning the whole heap, so 20,000 creators cost about 20× what 2,000 do instead
of 10×. kolbot's own objects hold no reference cycles worth hunting (reference counting frees
them), so the collector can run far less often; what was alive at the end of start-up (modules,
compiled templates, settings) is frozen out of its sight.
"""

from __future__ import annotations

import gc

# Young objects are collected every 50,000 allocations instead of 700 (the older generations keep
# their default ratios): measured in `bench/bench_core.py`, docs/benchmarks.md.
YOUNG_THRESHOLD = 50_000


def tune() -> None:
    """Collect less often, and move everything alive now into the permanent generation."""
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
