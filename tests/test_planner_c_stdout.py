"""The planner's solver prints nothing on standard output: `kolbot plan --blocks` is JSON only."""

from __future__ import annotations

import ctypes
import json

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
