"""Modal submissions whose `private_metadata` this version of kolbot cannot read: a form opened
before a deploy that changed what it remembers, or one forged or garbled on the way. The user is
told in their language that the form is out of date and how to open it again, over the form (what
they typed stays); nothing is run or stored, and no generic error or stack trace is shown."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from bot.errors import KolbotError
from bot.i18n import Text, detect_lang
from bot.models import Lang
from bot.services import Services
from handlers.replies import notice_modal, refusal

T = TypeVar("T")
Listener = TypeVar("Listener", bound=Callable[..., None])

# How to open each kind of form again.
REOPEN_SEARCH_FORM = Text("type `%(command)s` with nothing after it, or use the shortcut Find creators.")
REOPEN_FROM_CARD = Text("click the button that opened it again, on its card in the conversation.")


class StaleForm(Exception):
    """A modal's `private_metadata` is not what this version of kolbot writes."""


def read_metadata(view: dict[str, Any], load: Callable[[str], T]) -> T:
    """The modal's `private_metadata` as `load` reads it; anything `load` cannot read (not JSON,
    missing or unexpected fields, wrong types) is a `StaleForm`."""
    try:
        return load(view.get("private_metadata") or "")
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise StaleForm from exc


def stale_form(how: Text) -> KolbotError:
    return KolbotError(
        Text("This form is out of date (kolbot was updated after it was opened), so nothing was done."),
        hint=Text("Close it and open it again: %(how)s", how=how),
    )


def title_lang(services: Services, view: dict[str, Any]) -> Lang:
    """The form's language as its title shows it (the metadata that says so is what is unreadable)."""
    return detect_lang(str((view.get("title") or {}).get("text") or ""))


def refuses_stale(
    submit: Listener, how: Text, *, lang_of: Callable[[Services, dict[str, Any]], Lang] = title_lang
) -> Listener:
    """`submit` (a view submission listener), answering a `StaleForm` with the notice over the form,
    in the language `lang_of` reads from the submitted view."""

    @functools.wraps(submit)  # Bolt reads the arguments to pass from `submit` itself
    def listener(**kwargs: Any) -> None:
        try:
            submit(**kwargs)
        except StaleForm:
            lang = lang_of(kwargs["context"]["services"], kwargs["view"])
            notice = notice_modal(refusal(stale_form(how), lang), lang)
            kwargs["ack"](response_action="push", view=notice)

    return cast(Listener, listener)
