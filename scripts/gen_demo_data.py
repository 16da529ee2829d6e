"""Regenerate the bundled demo dataset from the deterministic generator.

Usage: .venv/bin/python scripts/gen_demo_data.py
Writes bot/demo_data/search_pages.json.gz in this checkout; run it after changing bot/demo/synth.py
(a test fails when the bundled file and the generator disagree).
"""

from __future__ import annotations

from pathlib import Path

from bot.demo.synth import bundle_bytes

TARGET = Path(__file__).resolve().parent.parent / "bot" / "demo_data" / "search_pages.json.gz"


def main() -> None:
    data = bundle_bytes()
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_bytes(data)
    print(f"wrote {TARGET} ({len(data):,} bytes)")


if __name__ == "__main__":
    main()
