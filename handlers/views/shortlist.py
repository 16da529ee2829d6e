"""Shortlist modal submissions: add a creator (to an open shortlist or a new one), start a shortlist,
and record a creator's quote, rebate and note.

Input problems go back into the form (`response_action="errors"`), so nothing is stored until
the form is right. The modal carries a `FormContext` in `private_metadata`; the workspace always
comes from the submitting user, so a form replayed from another workspace changes nothing.
Confirmations and later failures go to the `response_url` of the click that opened the modal.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from typing import Any

from pydantic import ConfigDict, TypeAdapter, with_config
from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.cards.shortlist_views import reply_message
from bot.i18n import LANGS, SOURCE_LANG
from bot.models import Duration, Lang
from bot.services import Services
from bot.shortlists.inputs import (
    clean_note,
    parse_budget,
    parse_duration,
    parse_price,
    parse_rebate,
)
from handlers.background import run_after_ack
from handlers.checked_respond import checked_respond
from handlers.jobs import SlackTask
from handlers.middleware import idempotency_key
from handlers.payloads import team_of, user_of
from handlers.replies import respond_ephemeral
from handlers.views.forms import (
    NewShortlist,
    Values,
    ack_form,
    add_to_shortlist,
    check_chosen,
    check_field,
    choice,
    open_here,
    text,
)
from handlers.views.stale import read_metadata


@with_config(ConfigDict(extra="forbid"))  # load(): another form's or deploy's fields are refused
@dataclass(frozen=True)
class FormContext:
    """What a shortlist modal needs to remember between opening and submission (ids only)."""

    channel_id: str
    lang: Lang
    response_url: str
    star_id: str | None = None
    short_id: str | None = None
    duration: Duration = Duration.MEDIUM

    def dump(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def load(cls, text: str) -> FormContext:
        data = json.loads(text)
        data["lang"] = next((lang for lang in LANGS if lang == data.get("lang")), SOURCE_LANG)
        data["duration"] = Duration(data.get("duration") or Duration.MEDIUM)
        return TypeAdapter(cls).validate_python(data)  # a ValueError for a missing, unknown or mistyped field


def _submission(body: dict[str, Any], view: dict[str, Any]) -> tuple[FormContext, Values, str, str]:
    """The modal's context and field values, and the submitting user's workspace and id."""
    form = read_metadata(view, FormContext.load)
    return form, view["state"]["values"], team_of(body), user_of(body)


def submit_add(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    """Add the creator to the chosen shortlist, or to a new one when a name was typed."""
    services: Services = context["services"]
    form, values, team_id, user_id = _submission(body, view)
    lang = form.lang
    name, budget, chosen = text(values, "new_name"), text(values, "budget"), choice(values, "shortlist")
    errors: dict[str, str] = {}
    if name:
        check_field(
            errors, "new_name", lang, lambda: services.shortlists.new_name(team_id, form.channel_id, name)
        )
        check_field(errors, "budget", lang, lambda: parse_budget(budget))
    else:
        check_chosen(services, errors, lang, team_id=team_id, channel_id=form.channel_id, chosen=chosen)
    if not ack_form(ack, errors):
        return
    respond = checked_respond(context, form.response_url, channel_id=form.channel_id)

    def work() -> None:
        add_to_shortlist(
            services,
            client,
            respond,
            lang,
            team_id=team_id,
            channel_id=form.channel_id,
            user_id=user_id,
            chosen=chosen,
            new=NewShortlist(name, budget, form.duration) if name else None,
            star_ids=[form.star_id or ""],
            request=idempotency_key(body),
        )

    run_after_ack(context, respond, lang, logger, work, task=SlackTask.SHORTLIST_ADD)


def submit_new(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    """Start a shortlist in the channel of the results card."""
    services: Services = context["services"]
    form, values, team_id, user_id = _submission(body, view)
    lang = form.lang
    name, budget = text(values, "new_name"), text(values, "budget")
    duration = choice(values, "duration") or form.duration
    errors: dict[str, str] = {}
    check_field(
        errors, "new_name", lang, lambda: services.shortlists.new_name(team_id, form.channel_id, name)
    )
    check_field(errors, "budget", lang, lambda: parse_budget(budget))
    check_field(errors, "duration", lang, lambda: parse_duration(duration))
    if not ack_form(ack, errors):
        return
    respond = checked_respond(context, form.response_url, channel_id=form.channel_id)

    def work() -> None:
        sync = services.shortlist_sync(client)
        sync.check_channel(form.channel_id)
        shortlist = services.shortlists.create(
            team_id, form.channel_id, user_id, name, budget, duration, lang=lang
        )
        sync.refresh(shortlist)
        url = sync.thread_url(team_id, shortlist.short_id)
        respond_ephemeral(respond, reply_message("created", shortlist, lang, thread_url=url))

    run_after_ack(context, respond, lang, logger, work, task=SlackTask.SHORTLIST_NEW)


def submit_edit(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    """Record the quote and rebate (返点) and replace the note; empty fields clear them."""
    services: Services = context["services"]
    form, values, team_id, user_id = _submission(body, view)
    lang = form.lang
    quote, rebate, note = text(values, "quote"), text(values, "rebate"), text(values, "note")
    short_id, star_id = form.short_id or "", form.star_id or ""
    errors: dict[str, str] = {}
    check_field(errors, "quote", lang, lambda: open_here(services, team_id, short_id, form.channel_id))
    check_field(errors, "quote", lang, lambda: services.shortlists.item(team_id, short_id, star_id))
    check_field(errors, "quote", lang, lambda: parse_price(quote))
    check_field(errors, "rebate", lang, lambda: parse_rebate(rebate))
    check_field(errors, "note", lang, lambda: clean_note(note))
    if not ack_form(ack, errors):
        return

    def work() -> None:
        service = services.shortlists
        service.set_quote_and_note(team_id, short_id, user_id, star_id, quote, rebate, note)
        services.shortlist_sync(client).refresh(service.get(team_id, short_id), [star_id])

    run_after_ack(
        context,
        checked_respond(context, form.response_url, channel_id=form.channel_id),
        lang,
        logger,
        work,
        task=SlackTask.SHORTLIST_EDIT,
    )
