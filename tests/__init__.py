"""kolbot's tests. `REPO_ROOT` is the checkout they run in (the installed package never looks there)."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
