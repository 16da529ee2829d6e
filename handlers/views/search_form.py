"""Submitting the search form: bad fields go back under the field (`response_action: errors`);
otherwise the form becomes its one-line query and runs like a typed search, posted to the
channel the form came from (or the one picked in it) with the line to type next time."""

from __future__ import annotations

import json
import logging
from functools import partial
from typing import Any

from slack_bolt import Ack, BoltContext

from bot.cards.form_views import equivalent_query_note
from bot.i18n import tr
from bot.search_form import FormErrors, SearchForm, form_query
from bot.services import Services
from handlers.background import run_after_ack
from handlers.checked_respond import checked_respond
from handlers.delivery import send_results
from handlers.jobs import SlackTask
from handlers.payloads import team_of, user_of, view_lang
from handlers.views.forms import Values, choice, field, text
from handlers.views.stale import read_metadata


def read_form(values: Values) -> SearchForm:
    """The form's fields from a view submission's `state.values`."""
    return SearchForm(
        keyword=text(values, "keyword"),
        followers=choice(values, "followers"),
        followers_custom=text(values, "followers_custom"),
        duration=choice(values, "duration"),
        max_price=text(values, "max_price"),
        max_cpm=text(values, "max_cpm"),
        max_cpe=text(values, "max_cpe"),
        min_er=text(values, "min_er"),
        goal=choice(values, "goal"),
        tags=tuple(o.get("value", "") for o in field(values, "tags").get("selected_options") or []),
        region=text(values, "region"),
        gender=choice(values, "gender"),
        sort=choice(values, "sort"),
        more=text(values, "more"),
    )


def load_target(metadata: str) -> tuple[str, str] | None:
    """The form's metadata: the command's (channel id, response_url), or None (opened from the
    shortcut: a conversation is picked in the form); a `ValueError` if it is neither. (*Edit
    search* adds the search's `lang`: `handlers.payloads.view_lang`.)"""
    stored = json.loads(metadata or "{}")
    if isinstance(stored, dict) and set(stored) <= {"lang"}:  # a conversation is picked in the form
        return None
    channel_id, response_url = stored["channel_id"], stored["response_url"]
    if not (isinstance(channel_id, str) and isinstance(response_url, str) and channel_id and response_url):
        raise ValueError("search form metadata without a channel and response_url")
    return channel_id, response_url


def _target(body: dict[str, Any], stored: tuple[str, str] | None) -> tuple[str, str] | None:
    """(channel id, response_url) where results go: the command's channel, or the picked one."""
    if stored is not None:
        return stored
    for url in body.get("response_urls") or []:
        if url.get("channel_id") and url.get("response_url"):
            return url["channel_id"], url["response_url"]
    return None


def submit_search_form(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext, logger: logging.Logger
) -> None:
    services: Services = context["services"]
    stored = read_metadata(view, load_target)
    form = read_form(view["state"]["values"])
    lang = view_lang(services, view)
    try:
        made = form_query(form, services.parse_query, lang)
    except FormErrors as err:
        ack(
            response_action="errors", errors={block: tr(lang, what) for block, what in err.messages().items()}
        )
        return
    target = _target(body, stored)
    if target is None:
        where = tr(lang, "Pick a conversation for the results.")
        ack(response_action="errors", errors={"channel": where})
        return
    ack()
    channel_id, response_url = target
    lang = made.query.lang or lang
    save = partial(services.searches.save, team_of(body), channel_id, user_of(body), made.text, lang)
    respond = checked_respond(context, response_url, channel_id=channel_id)
    note = equivalent_query_note(made.text, lang)
    run_after_ack(
        context,
        respond,
        lang,
        logger,
        lambda: send_results(services, respond, made.query, lang, ref_for=save, notes=[note]),
        task=SlackTask.SEARCH_FORM,
    )
