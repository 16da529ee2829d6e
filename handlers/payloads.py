"""What a Slack payload says about who acted, where, and which saved search it points at.

The workspace always comes from the acting user, so an id replayed from another workspace finds
nothing and is refused with a clear message.
"""

from __future__ import annotations

import json
from typing import Any

from bot.models import LANG_CODES, Lang
from bot.services import Services
from bot.store.searches import SavedSearch
from handlers.replies import expired_search


def team_of(body: dict[str, Any]) -> str:
    return (body.get("user") or {}).get("team_id") or (body.get("team") or {}).get("id") or ""


def user_of(body: dict[str, Any]) -> str:
    return (body.get("user") or {}).get("id", "")


def channel_of(body: dict[str, Any]) -> str:
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id", "")


def request_lang(services: Services, body: dict[str, Any]) -> Lang:
    """The language of whatever the user acted on: a command's text, the clicked button's label,
    the submitted form's remembered language or typed words (for failures answered before a
    listener knows more)."""
    if actions := body.get("actions"):
        return label_lang(services, actions[0])
    if view := body.get("view"):
        return view_lang(services, view)
    return services.lang_for(str(body.get("text") or ""))


def view_lang(services: Services, view: dict[str, Any]) -> Lang:
    """A submitted form's language: the one its metadata remembers (the search *Edit search* opened
    it for), else Chinese when any box was typed in Chinese (a form's title may be bilingual)."""
    return _remembered_lang(view) or services.lang_for(" ".join(_typed(view)))


def _remembered_lang(view: dict[str, Any]) -> Lang | None:
    """The `lang` a form's metadata keeps, if it is readable and keeps one."""
    try:
        stored = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return None
    return LANG_CODES.get(str(stored.get("lang"))) if isinstance(stored, dict) else None


def _typed(view: dict[str, Any]) -> list[str]:
    """Every text box's value in a submitted view."""
    blocks = ((view.get("state") or {}).get("values") or {}).values()
    return [str(e.get("value") or "") for block in blocks for e in block.values() if isinstance(e, dict)]


def label_lang(services: Services, action: dict[str, Any]) -> Lang:
    """The language of the card that was clicked, read from the clicked button's own label (or the
    chosen option's, for a menu)."""
    label = action.get("text") or (action.get("selected_option") or {}).get("text") or {}
    return services.lang_for(label.get("text", ""))


def saved_search(services: Services, body: dict[str, Any], ref: str | None) -> SavedSearch | None:
    """The saved search `ref` if it belongs to the acting user's workspace."""
    return services.searches.get(ref, team_of(body)) if ref else None


def required_search(services: Services, body: dict[str, Any], ref: str) -> SavedSearch:
    """`saved_search`, refused as expired when it is unknown in this workspace."""
    saved = saved_search(services, body, ref)
    if saved is None:
        raise expired_search()
    return saved
