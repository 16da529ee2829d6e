"""Synthetic demo data: a deterministic generator of TikHub search bodies (`synth`).

The bundled `bot/demo_data/search_pages.json.gz` is this generator's output, written by
`scripts/gen_demo_data.py`; nothing in it is real creator data.
"""
