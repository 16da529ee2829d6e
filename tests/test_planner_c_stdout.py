"""The planner's solver prints nothing on standard output: `kolbot plan --blocks` is JSON only."""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.planner.c_stdout import silenced


def test_what_compiled_code_prints_within_the_block_goes_nowhere(capfd: pytest.CaptureFixture[str]) -> None:
    libc = ctypes.CDLL(None)
    print("before", flush=True)
    with silenced():
        libc.printf(b"from C\n")
    print("after", flush=True)
    libc.fflush(None)
    assert capfd.readouterr().out == "before\nafter\n"


def test_a_plan_whose_solve_prints_a_debug_line_gives_json_only(capfd: pytest.CaptureFixture[str]) -> None:
    """On this demo search HiGHS (scipy 1.17.1) prints `HighsMipSolverData::…` with printf."""
    assert main(["plan", "30万 美妆 pages=10", "--blocks"]) == 0
    out = capfd.readouterr().out
    assert "Highs" not in out
    assert json.loads(out)["blocks"]


def test_overlapping_solves_keep_it_silenced_until_the_last_ends(capfd: pytest.CaptureFixture[str]) -> None:
    """Two plan jobs in two worker threads: the first to finish must not bring standard output back
    under the other (nor the other put back /dev/null for good)."""
    libc = ctypes.CDLL(None)
    first, second = silenced(), silenced()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    libc.printf(b"still solving\n")
    second.__exit__(None, None, None)
    print("after", flush=True)
    libc.fflush(None)
    assert capfd.readouterr().out == "after\n"


def test_a_plan_with_standard_output_closed_still_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from bot.cli import run; run(['plan', '30万 美妆 pages=10', '--blocks'])"],
        stderr=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[1],
        preexec_fn=lambda: os.close(1),
        timeout=120,
        check=False,
    )
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr.decode()
