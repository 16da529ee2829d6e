"""Checks a Slack message payload before it is sent: slack_sdk's block models plus the limits
the SDK does not enforce (blocks per message, field length, top-level text)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block

MAX_BLOCKS = 50
MAX_TEXT = 40_000  # top-level `text`; Slack truncates above this
MAX_SECTION_TEXT = 3000  # also the cap we apply to every mrkdwn text object
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000


def _text_objects(node: Any) -> Iterator[dict[str, Any]]:
    """Every `{"type": "mrkdwn" | "plain_text", "text": …}` object nested in `node`."""
    if isinstance(node, dict):
        if node.get("type") in ("mrkdwn", "plain_text") and "text" in node:
            yield node
        for child in node.values():
            yield from _text_objects(child)
    elif isinstance(node, list):
        for child in node:
            yield from _text_objects(child)


def _top_text_problems(text: Any) -> list[str]:
    if not isinstance(text, str) or not text.strip():
        return ["top-level text fallback is missing"]
    if len(text) > MAX_TEXT:
        return [f"top-level text has {len(text)} characters (max {MAX_TEXT})"]
    return []


def _sdk_problems(blocks: list[Any]) -> list[str]:
    """Parse with slack_sdk, run its validators, and insist the round trip loses nothing."""
    try:
        parsed = Block.parse_all(blocks)
        for i, (block, raw) in enumerate(zip(parsed, blocks, strict=True)):
            if block is None:
                return [f"block {i}: unknown block type {raw.get('type')!r}"]
            if block.to_dict() != raw:
                return [f"block {i}: has fields slack_sdk does not recognise or would drop"]
    except (SlackObjectFormationError, AttributeError, KeyError, TypeError, ValueError) as exc:
        return [f"slack_sdk rejected the blocks: {exc}"]
    return []


def _block_problems(i: int, block: dict[str, Any]) -> list[str]:
    problems = []
    fields = block.get("fields") or []
    if len(fields) > MAX_FIELDS:
        problems.append(f"block {i}: {len(fields)} fields (max {MAX_FIELDS})")
    problems += [
        f"block {i}: field {j} has {len(field.get('text', ''))} characters (max {MAX_FIELD_TEXT})"
        for j, field in enumerate(fields)
        if len(field.get("text", "")) > MAX_FIELD_TEXT
    ]
    element = block.get("element") or {}
    typed, longest = element.get("initial_value"), element.get("max_length")
    if isinstance(typed, str) and isinstance(longest, int) and len(typed) > longest:
        problems.append(f"block {i}: initial value has {len(typed)} characters (max_length {longest})")
    for obj in _text_objects(block):
        text = obj["text"]
        if not isinstance(text, str) or not text.strip():
            problems.append(f"block {i}: empty {obj['type']} text")
        elif obj["type"] == "mrkdwn" and len(text) > MAX_SECTION_TEXT:
            problems.append(f"block {i}: mrkdwn text has {len(text)} characters (max {MAX_SECTION_TEXT})")
    return problems


def validate_message(message: Mapping[str, Any]) -> list[str]:
    """Problems with a `{"text": …, "blocks": […]}` payload; an empty list means it is safe to send."""
    problems = _top_text_problems(message.get("text"))
    blocks = message.get("blocks", [])
    if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
        return [*problems, "blocks must be a list of objects"]
    if len(blocks) > MAX_BLOCKS:
        problems.append(f"{len(blocks)} blocks (max {MAX_BLOCKS} per message)")
    problems += _sdk_problems(blocks)
    for i, block in enumerate(blocks):
        problems += _block_problems(i, block)
    return problems
