"""A Slack user's own language, for what kolbot says before they have typed anything.

Language otherwise follows what the user typed (any Chinese → Chinese). `/kol help` and a first
visit to the Home tab carry no words, so a Chinese-speaking marketer met English there: with
`KOLBOT_LANG=auto` their Slack locale (`users.info`, `include_locale`, under the `users:read`
scope kolbot already has) decides instead. Answers are kept for a day per user; a failed call
means the configured default.
"""

from __future__ import annotations

import copy
import logging
import time
from collections import OrderedDict
from threading import Lock

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.models import LANG_CODES, Lang

ENGLISH: Lang = "en"  # for every locale but Chinese

log = logging.getLogger(__name__)

_KEPT_S = 24 * 3600
_MAX_USERS = 10_000
_WAIT_S = 1  # seconds: the call is made before an ack (Slack allows 3 s): one try, this long at most


def _quick(client: WebClient) -> WebClient:
    """`client` for one call before an ack: a short timeout, and no retries (a 429's wait could
    outlast the ack)."""
    quick = copy.copy(client)
    quick.timeout, quick.retry_handlers = _WAIT_S, []
    return quick


def _locale_lang(locale: str, default: Lang) -> Lang:
    """`zh-CN`, `zh-TW` → zh; another locale → en (kolbot speaks those two); none → `default`."""
    if not locale:
        return default
    return LANG_CODES.get(locale.split("-", 1)[0].lower(), ENGLISH)


class SlackLocales:
    """Each user's language from their Slack locale (`zh-CN`, `zh-TW` → zh; anything else → en)."""

    def __init__(self) -> None:
        self._known: OrderedDict[tuple[str, str], tuple[Lang, float]] = OrderedDict()
        self._lock = Lock()

    def lang(self, client: WebClient, team_id: str, user_id: str, default: Lang) -> Lang:
        key = (team_id, user_id)
        with self._lock:
            known = self._known.get(key)
        if known is not None and time.monotonic() - known[1] < _KEPT_S:
            return known[0]
        try:
            user = _quick(client).users_info(user=user_id, include_locale=True).get("user") or {}
        except SlackClientError as err:
            log.info("no Slack locale for %s (%s): using the default language", user_id, err)
            return default
        lang = _locale_lang(str(user.get("locale") or ""), default)
        with self._lock:
            self._known[key] = (lang, time.monotonic())
            self._known.move_to_end(key)
            while len(self._known) > _MAX_USERS:
                self._known.popitem(last=False)
        return lang
