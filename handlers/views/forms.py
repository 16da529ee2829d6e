"""What the modal submissions share: reading fields, refusals under their fields, closing the
modal, and putting creators on the chosen shortlist or on a new one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.cards.errors import error_text
from bot.cards.shortlist_views import reply_message
from bot.errors import KolbotError, QueryError
from bot.i18n import tr
from bot.models import Duration, Lang
from bot.services import Services
from bot.shortlists import errors as shortlist_errors
from bot.shortlists.models import Shortlist, ShortlistStatus
from handlers.replies import respond_ephemeral

Values = dict[str, dict[str, dict[str, Any]]]


@dataclass(frozen=True)
class NewShortlist:
    """The shortlist a form starts when a name was typed."""

    name: str
    budget: float | str | None
    duration: Duration


def field(values: Values, block_id: str) -> dict[str, Any]:
    """The state of the one element of input block `block_id` (empty when the block is absent)."""
    return next(iter((values.get(block_id) or {}).values()), {})


def text(values: Values, block_id: str) -> str:
    return field(values, block_id).get("value") or ""


def choice(values: Values, block_id: str) -> str:
    return (field(values, block_id).get("selected_option") or {}).get("value", "")


def check_field(errors: dict[str, str], block_id: str, lang: Lang, check: Callable[[], object]) -> None:
    """Run `check`; a refusal goes under the form field `block_id`: what was wrong, and what to do
    unless that is a command's usage (`QueryError`), too long for a field."""
    try:
        check()
    except QueryError as err:
        errors.setdefault(block_id, tr(lang, err.what))
    except KolbotError as err:
        errors.setdefault(block_id, error_text(err, lang))


def ack_form(ack: Ack, errors: dict[str, str]) -> bool:
    """Close the modal, or keep it open with `errors` under their fields (then False)."""
    if errors:
        ack(response_action="errors", errors=errors)
        return False
    ack()
    return True


def open_here(services: Services, team_id: str, short_id: str, channel_id: str) -> Shortlist:
    """The chosen shortlist, if it is this workspace's, this channel's and open."""
    shortlist = services.shortlists.get(team_id, short_id)
    if shortlist.channel_id != channel_id:
        raise shortlist_errors.other_channel(shortlist.channel_id)
    if shortlist.status == ShortlistStatus.CLOSED:
        raise shortlist_errors.closed(shortlist.name)
    return shortlist


def check_chosen(
    services: Services,
    errors: dict[str, str],
    lang: Lang,
    team_id: str,
    channel_id: str,
    chosen: str,
) -> None:
    """No name was typed: a shortlist must be chosen, and be open in this channel. (With a name,
    the form checks the new shortlist's own fields.)"""
    if chosen:
        check_field(errors, "shortlist", lang, lambda: open_here(services, team_id, chosen, channel_id))
    else:
        errors["new_name"] = tr(lang, "Choose a shortlist, or type a name to start a new one.")


def add_to_shortlist(
    services: Services,
    client: WebClient,
    respond: Respond,
    lang: Lang,
    *,
    team_id: str,
    channel_id: str,
    user_id: str,
    chosen: str,
    new: NewShortlist | None,
    star_ids: Sequence[str],
    request: str | None = None,
) -> None:
    """Add the creators to a `new` shortlist (a name was typed) or the chosen one, bring its
    messages up to date and tell the user. `request`: the submission's idempotency key, so its
    job run again counts what it added before as added (`ShortlistService.add`)."""
    sync = services.shortlist_sync(client)
    sync.check_channel(channel_id)
    if new is not None:
        target = services.shortlists.create(
            team_id, channel_id, user_id, new.name, new.budget, new.duration, lang=lang
        )
    else:
        target = open_here(services, team_id, chosen, channel_id)
    result = services.shortlists.add(team_id, target.short_id, user_id, star_ids, request=request)
    sync.refresh(result.shortlist)
    message = reply_message(
        "added",
        result.shortlist,
        lang,
        thread_url=sync.thread_url(team_id, target.short_id),
        creators=[i.creator.nickname for i in result.added],
        already=[i.creator.nickname for i in result.already],
    )
    respond_ephemeral(respond, message)
