"""Opening a modal from a button: the one preamble every *Add…*, *Edit…* and *Plan budget* click shares."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient

from bot.models import Lang
from bot.services import Services
from handlers.payloads import label_lang
from handlers.replies import answer_failures

ModalView = Callable[[Services, Lang], dict[str, Any]]


def open_modal(
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
    view: ModalView,
) -> None:
    """Open the modal `view` builds, in the language of the clicked button; a refusal while
    building it (an unknown creator, a shortlist from elsewhere) is answered instead."""
    services: Services = context["services"]
    lang = label_lang(services, action)
    with answer_failures(respond, lang, logger):
        client.views_open(trigger_id=body["trigger_id"], view=view(services, lang))
