"""What users type to `/kol budget` (input, not copy): the words for "no budget" and the amount,
with the dollar words a Chinese writer uses."""

from __future__ import annotations

import re

OFF = {"off", "none", "no", "unlimited", "关闭", "无", "不限"}
AMOUNT = re.compile(r"(?:us)?\$?\s*(\d+(?:\.\d+)?)\s*(?:usd|美元|刀)?", re.IGNORECASE)
