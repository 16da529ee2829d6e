"""App Home: `app_home_opened` (Home tab) publishes the user's home view with `views.publish`.

The view is built after the ack (a permalink per shortlist takes a Slack call each). Its language
is that of the user's latest search, else their Slack language (`KOLBOT_LANG=auto`), else the
workspace default.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.cards.home_views import home_view
from bot.services import Services
from handlers.background import run_after_ack
from handlers.jobs import SlackTask


def publish_home(services: Services, client: WebClient, team_id: str, user_id: str) -> None:
    sync = services.shortlist_sync(client)
    home = services.home.home(team_id, user_id, thread_url=sync.thread_url)
    lang = home.searches[0].lang if home.searches else services.wordless_lang("", client, team_id, user_id)
    view = home_view(home, lang)
    if view is not None:
        client.views_publish(user_id=user_id, view=view)


def home_opened(
    event: dict[str, Any], client: WebClient, context: BoltContext, logger: logging.Logger
) -> None:
    if event.get("tab") != "home":
        return
    services: Services = context["services"]
    team_id, user_id = context.team_id or "", event["user"]
    run_after_ack(
        context,
        None,
        services.default_lang,
        logger,
        lambda: publish_home(services, client, team_id, user_id),
        task=SlackTask.HOME,
    )
