"""Render a card template to a Slack message, or fall back to plain text when anything is off."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from jinja2 import TemplateError
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.views import View

from bot.cards.env import clip, get_env, mrkdwn
from bot.cards.validate import MAX_SECTION_TEXT, MAX_TEXT, validate_message
from bot.i18n import slash_command

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SlackMessage(Mapping[str, Any]):
    """What handlers send: `text` (notification and fallback, already escaped) and Block Kit `blocks`.

    A read-only mapping of exactly those two keys, so `respond(**message)` works.
    """

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}

    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(("text", "blocks"))

    def __len__(self) -> int:
        return 2


def plain_message(text: str) -> SlackMessage:
    """A blocks-free message; `text` is plain text, escaped here so Slack shows it literally."""
    return SlackMessage(text=clip(mrkdwn(text), MAX_TEXT))


def section_chunks(lines: Iterable[str], limit: int = MAX_SECTION_TEXT) -> list[str]:
    """Lines joined into pieces that each fit one section once escaped; a blank line never starts a
    piece (a line longer than `limit` stays whole, for the template to clip)."""
    chunks: list[str] = []
    for line in lines:
        if chunks and len(mrkdwn(chunks[-1] + "\n" + line)) <= limit:
            chunks[-1] += "\n" + line
        elif line.strip():
            chunks.append(line)
    return chunks


def _render_json(name: str, context: dict[str, Any]) -> Any:
    """`templates/<name>` rendered and parsed; every template may use `command`, the slash command's
    name (KOLBOT_COMMAND, read once at start-up), without its view passing it."""
    return json.loads(get_env().get_template(name).render({"command": slash_command(), **context}))


def render(template_name: str, context: dict[str, Any], *, fallback_text: str) -> SlackMessage:
    """Render `templates/<template_name>` with `context` into a validated message.

    `fallback_text` is plain text (it is escaped here); it becomes the top-level `text`, and the
    whole message when the template fails to render, to parse as JSON or to validate.
    """
    fallback = plain_message(fallback_text)
    try:
        blocks = _render_json(template_name, context)
    except (TemplateError, TypeError, ValueError) as exc:
        log.error(  # a bug: the traceback names the template line
            "card %s failed to render, sending plain text: %s: %s",
            template_name,
            type(exc).__name__,
            exc,
            exc_info=True,
        )
        return fallback
    message = SlackMessage(text=fallback.text, blocks=blocks)
    problems = validate_message(message.to_dict())
    if problems:
        log.error("card %s failed validation, sending plain text: %s", template_name, "; ".join(problems))
        return fallback
    return message


def render_view(template_name: str, context: dict[str, Any]) -> dict[str, Any] | None:
    """Render a modal or home tab and check it with slack_sdk's `View` (a lossless round trip);
    None (logged) when it fails, for the caller to explain."""
    try:
        view = _render_json(template_name, context)
        if View(**view).to_dict() == view:
            return view
        problem = "fields slack_sdk does not recognise"
    except (TemplateError, TypeError, ValueError, KeyError, SlackObjectFormationError) as exc:
        problem = f"{type(exc).__name__}: {exc}"
    log.error("view %s failed to render: %s", template_name, problem)
    return None
