"""Serving does not load the heavy libraries that only some work needs: matplotlib and openpyxl
are imported by the functions that draw or write (about 45 MB of resident memory), procrastinate
only where there is a job queue (PostgreSQL; about 13 MB), cryptography only where Slack tokens are
stored encrypted (OAuth mode; about 8 MB)."""

from __future__ import annotations

import subprocess
import sys

from tests import REPO_ROOT

LAZY = ("matplotlib", "openpyxl", "procrastinate", "cryptography")


def test_importing_the_app_loads_none_of_the_lazy_libraries() -> None:
    probe = f"import sys, handlers.server; print(sorted(m for m in {LAZY!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"
