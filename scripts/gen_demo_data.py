"""Regenerate the bundled demo dataset from the deterministic generator.

Usage: .venv/bin/python scripts/gen_demo_data.py
Writes bot/demo_data/search_pages.json.gz; run it after changing bot/demo/synth.py (a test fails
when the bundled file and the generator disagree).
"""

from __future__ import annotations

from bot.demo.synth import BUNDLE_PATH, bundle_bytes


def main() -> None:
    data = bundle_bytes()
    BUNDLE_PATH.parent.mkdir(parents=True, exist_ok=True)
    BUNDLE_PATH.write_bytes(data)
    print(f"wrote {BUNDLE_PATH} ({len(data):,} bytes)")


if __name__ == "__main__":
    main()
