"""The composition root: one place that builds the database, stores, data source and search.

Used by the CLI, the Slack app and the tests, so all three run the same wiring.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from bot.db.engine import make_engine, session_factory
from bot.db.migrate import migrate
from bot.grammar import parse_query
from bot.i18n import detect_lang
from bot.models import Lang, Query
from bot.redact import install_log_redaction
from bot.search import SearchService
from bot.settings import Settings
from bot.sources.base import CreatorSource
from bot.sources.demo import DemoSource
from bot.sources.tikhub import TikHubClient, TikHubSource
from bot.store.http_cache import SqlResponseCache
from bot.store.requests import RequestLedger
from bot.store.searches import SearchRefs
from bot.store.snapshots import CreatorSnapshots


@dataclass
class Services:
    settings: Settings
    engine: Engine
    source: CreatorSource
    search: SearchService
    searches: SearchRefs
    snapshots: CreatorSnapshots
    ledger: RequestLedger
    tikhub: TikHubClient | None = None

    def parse_query(self, text: str) -> Query:
        """`bot.grammar.parse_query` with the configured page and top defaults."""
        s = self.settings
        return parse_query(
            text,
            default_pages=s.kolbot_default_pages,
            max_pages=s.kolbot_max_pages,
            default_top=s.kolbot_default_top,
        )

    @property
    def default_lang(self) -> Lang:
        """`KOLBOT_LANG`: zh or en; "auto" (the default) means English unless the user writes Chinese."""
        return "zh" if self.settings.kolbot_lang.lower().startswith("zh") else "en"

    def lang_for(self, text: str) -> Lang:
        """Chinese when the user typed Chinese, else the configured default."""
        return detect_lang(text, self.default_lang)

    def close(self) -> None:
        if self.tikhub is not None:
            self.tikhub.close()
        self.engine.dispose()


def build_services(settings: Settings) -> Services:
    """Redact secrets from logs, migrate the database, then wire stores, source and search."""
    install_log_redaction(
        [
            settings.tikhub_api_key,
            settings.slack_bot_token,
            settings.slack_app_token,
            settings.slack_signing_secret,
        ]
    )
    url = settings.effective_database_url
    migrate(url)
    engine = make_engine(url)
    sessions = session_factory(engine)
    snapshots = CreatorSnapshots(sessions)
    tikhub = None if settings.demo_mode else TikHubClient(settings, cache=SqlResponseCache(sessions))
    source: CreatorSource = (
        DemoSource(settings.kolbot_price_unit)
        if tikhub is None
        else TikHubSource(tikhub, settings.kolbot_price_unit)
    )
    return Services(
        settings=settings,
        engine=engine,
        source=source,
        search=SearchService(source, on_seen=snapshots.save_many),
        searches=SearchRefs(sessions),
        snapshots=snapshots,
        ledger=RequestLedger(sessions),
        tikhub=tikhub,
    )
