"""Opening a modal from a button: the one preamble every *Add…*, *Edit…* and *Plan budget* click shares."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient

from bot.i18n import Text
from bot.models import Lang
from bot.services import Services
from handlers.payloads import label_lang
from handlers.replies import answer_failures

ModalView = Callable[[Services, Lang], dict[str, Any]]

# What the user is told failed when a form could not be opened (storage down, Slack refused…),
# before why and what to do; a refusal (an unknown creator, a shortlist from elsewhere) says its own.
FORM_FAILED = Text("Opening the form failed.")


def open_modal(
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
    view: ModalView,
) -> None:
    """Open the modal `view` builds, in the language of the clicked button; a failure while
    building or opening it is answered instead, in the same words as a failed job's.

    Opened in the listener, not queued: the `trigger_id` expires 3 s after the click, so there is
    no retry to wait for."""
    services: Services = context["services"]
    lang = label_lang(services, action)
    with answer_failures(respond, lang, logger, failed=FORM_FAILED):
        client.views_open(trigger_id=body["trigger_id"], view=view(services, lang))
