"""Serving does not load the heavy libraries that only charts and XLSX exports need: matplotlib
and openpyxl are imported by the functions that draw or write (about 45 MB of resident memory)."""

from __future__ import annotations

import subprocess
import sys

from tests import REPO_ROOT

LAZY = ("matplotlib", "openpyxl")


def test_importing_the_app_loads_neither_matplotlib_nor_openpyxl() -> None:
    probe = f"import sys, handlers.app; print(sorted(m for m in {LAZY!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"
