"""The composition root: one place that builds the database, stores, data source and search.

Used by the CLI, the Slack app and the tests, so all three run the same wiring. What a search does
not use (the deep-dive, digests, plans, App Home, workspaces and the Slack clients) is a
`cached_property`, imported and built on first use: a one-shot `kolbot search` starts without them
(`tests/test_cold_start.py`). Serving processes build them all at start-up (`build_services`),
before their threads start: no request pays for an import, no two threads race to build one (a
`cached_property` takes no lock) and `collector.tune()` freezes them with the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property, partial
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.db.direct import DirectConnection
from bot.db.engine import database_url, make_engine, session_factory
from bot.db.migrate import migrate
from bot.grammar import LangWords, lang_words, parse_query
from bot.i18n import detect_lang, use_command
from bot.models import Creator, Lang, Query
from bot.redact import install_log_redaction
from bot.search import SearchService
from bot.settings import Settings
from bot.shortlists.service import ShortlistService
from bot.sources.base import CreatorSource
from bot.sources.cache import UpstreamLimits
from bot.sources.extents import SearchExtents
from bot.spend.budget import BudgetService
from bot.store.http_cache import SqlResponseCache
from bot.store.job_posts import JobPosts
from bot.store.requests import RequestLedger
from bot.store.searches import SearchRefs
from bot.store.snapshots import CreatorSnapshots
from bot.store.spend import SpendStore
from bot.workers import WorkerPool

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.deepdive.service import DeepDiveService, DemoDeepDiveClient
    from bot.digests.service import DigestService
    from bot.home import HomeService
    from bot.installations import EncryptedInstallationStore
    from bot.planner.service import PlanService
    from bot.queue import JobQueue
    from bot.screen import AudienceScreen
    from bot.slack_clients import SlackClients
    from bot.slack_io.locale import SlackLocales
    from bot.slack_io.shortlists import ShortlistSync, UpdateGate
    from bot.sources.tikhub import TikHubClient
    from bot.workspaces import WorkspaceService


@dataclass
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    source: CreatorSource
    search: SearchService
    extents: SearchExtents  # which pages each search has, for search and digests alike
    searches: SearchRefs
    snapshots: CreatorSnapshots
    ledger: RequestLedger
    shortlists: ShortlistService
    workers: WorkerPool  # slow work after a Slack ack (`handlers.background`)
    budget: BudgetService  # TikHub spend per workspace/user/feature and the monthly budget
    job_posts: JobPosts  # what each queued job posted, so a job run again posts nothing twice
    tikhub: TikHubClient | None = None
    queue: JobQueue | None = None  # procrastinate, set by the process when `settings.uses_queue`

    @cached_property
    def deepdive(self) -> DeepDiveService:
        """Through the same TikHub client as search: one cache, one rate limiter, one bill."""
        from bot.deepdive.service import DeepDiveService

        return DeepDiveService(self._detail_client, seen=self.snapshots)

    @cached_property
    def digests(self) -> DigestService:
        from bot.digests.pipeline import DigestPipeline
        from bot.digests.service import DigestService
        from bot.slack_io.digests import ChannelGate, SlackPoster
        from bot.store.digests import DigestStore

        store = DigestStore(self.sessions)
        pipeline = DigestPipeline(
            store,
            source=self.source,  # the same source as search: one cache and coalescing for both
            shortlists=self.shortlists,
            poster=SlackPoster(self.slack, gate=ChannelGate(self.settings.kolbot_digest_post_interval_s)),
            settings=self.settings,
            on_seen=[remember_seen(self.snapshots, self.shortlists)],
            extents=self.extents,
        )
        return DigestService(store, pipeline, settings=self.settings)

    @cached_property
    def slack(self) -> SlackClients:
        """Web API clients with each workspace's bot token."""
        from bot.slack_clients import SlackClients

        return SlackClients(self.settings, self._installations)

    @cached_property
    def workspaces(self) -> WorkspaceService:
        """Installs, removals, the retention purge."""
        from bot.installations import state_store
        from bot.workspaces import WorkspaceService

        s = self.settings
        return WorkspaceService(
            self.sessions,
            self.digests,
            retention=timedelta(days=s.kolbot_retention_days),
            installations=self._installations,
            states=state_store(s, self.engine) if s.oauth_enabled else None,
        )

    @cached_property
    def plans(self) -> PlanService:
        from bot.planner.mcn import McnLookup
        from bot.planner.models import TierBounds
        from bot.planner.service import PlanService
        from bot.planner.store import PlanStore

        s = self.settings
        return PlanService(
            PlanStore(self.sessions),
            self.shortlists,
            self.search,
            McnLookup(self._detail_client),
            TierBounds(head_min=s.kolbot_plan_head_min_followers, mid_min=s.kolbot_plan_mid_min_followers),
            outlier_factor=s.kolbot_plan_outlier_factor,
        )

    @cached_property
    def home(self) -> HomeService:
        """What the App Home tab shows."""
        from bot.home import HomeService

        return HomeService(self.sessions, self.budget)

    @cached_property
    def shortlist_gate(self) -> UpdateGate:
        """One per process: coalesces the Slack renders of each shortlist."""
        from bot.slack_io.shortlists import UpdateGate

        return UpdateGate()

    @cached_property
    def _installations(self) -> EncryptedInstallationStore | None:
        """slack_sdk's installation store in kolbot's database, in OAuth mode; None with one bot token."""
        from bot.installations import installation_store

        return installation_store(self.settings, self.engine) if self.settings.oauth_enabled else None

    @cached_property
    def _detail_client(self) -> TikHubClient | DemoDeepDiveClient:
        """Profiles for the deep-dive and the planner's MCN lookup: TikHub's, or the demo data's."""
        from bot.deepdive.service import DemoDeepDiveClient

        return DemoDeepDiveClient(self.snapshots) if self.tikhub is None else self.tikhub

    def build_all(self) -> None:
        """Build every service now: a serving process pays at start-up, not on a request."""
        for name, attr in vars(Services).items():
            if isinstance(attr, cached_property):
                getattr(self, name)

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
        """`KOLBOT_LANG`: zh or en; "auto" (the default) means English unless the user writes Chinese
        (what carries no words follows the user's Slack language: `wordless_lang`)."""
        return self.settings.default_lang

    def lang_for(self, text: str, asked: LangWords | None = None) -> Lang:
        """The language a `lang=` word in `text` asks for (`asked`: its `lang_words`, when the
        caller has read them already); else Chinese when the user typed Chinese, else the
        configured default."""
        return (asked or lang_words(text)).lang or detect_lang(text, self.default_lang)

    @cached_property
    def locales(self) -> SlackLocales:
        from bot.slack_io.locale import SlackLocales

        return SlackLocales()

    def wordless_lang(self, text: str, client: WebClient, team_id: str, user_id: str) -> Lang:
        """`lang_for(text)`, except that words that say nothing of a language (`/kol help`, a first
        visit to the Home tab) are answered in the user's Slack language when `KOLBOT_LANG=auto`."""
        if self.settings.kolbot_lang != "auto" or lang_words(text).lang or detect_lang(text) == "zh":
            return self.lang_for(text)
        return self.locales.lang(client, team_id, user_id, self.default_lang)

    @property
    def screen(self) -> AudienceScreen:
        """The audience screen, through the deep-dive's client: one portrait cache, one bill."""
        from bot.screen import AudienceScreen

        return AudienceScreen(self.deepdive)

    def shortlist_sync(self, client: WebClient) -> ShortlistSync:
        """Keeps shortlists' Slack messages in step, through `client` (the app's bot-token client)."""
        from bot.slack_io.shortlists import ShortlistSync

        return ShortlistSync(
            self.shortlists,
            client,
            gate=self.shortlist_gate,
            default_lang=self.default_lang,
            posts=self.job_posts,
        )

    def close(self) -> None:
        self.workers.shutdown(wait=True)  # finish the work users were told is under way
        if self.queue is not None:
            self.queue.close()
        if self.tikhub is not None:
            self.tikhub.close()
        self.ledger.close()
        if self.settings.uses_queue:
            from bot.observability.metrics import watch_queue

            watch_queue(None)  # its probe reads this engine
        self.engine.dispose()


def _source(
    settings: Settings, engine: Engine, cache: SqlResponseCache, budget: BudgetService
) -> tuple[TikHubClient | None, CreatorSource]:
    """TikHub's client (every live feature shares it) and source, or the demo data's: only the one
    in use is imported."""
    if settings.demo_mode:
        from bot.sources.demo import DemoSource

        return None, DemoSource(settings.kolbot_price_unit)
    from bot.sources.tikhub import TikHubClient, TikHubSource

    tikhub = TikHubClient(settings, cache=cache, meter=budget, limits=_shared_limits(engine, settings))
    return tikhub, TikHubSource(tikhub, settings.kolbot_price_unit)


def _shared_limits(engine: Engine, settings: Settings) -> UpstreamLimits | None:
    """On PostgreSQL the TikHub rate limit and coalescing span every process; SQLite is one process."""
    if engine.dialect.name != "postgresql":
        return None
    from bot.sources.pg_limits import PostgresLimits  # pyrate-limiter and psycopg_pool: PostgreSQL only

    return PostgresLimits(engine.url, settings.kolbot_tikhub_qps)


def build_services(settings: Settings, *, db_threads: int | None = None, one_shot: bool = False) -> Services:
    """Redact secrets from logs, migrate the database, then wire stores, source and search.

    `db_threads`: how many of the process's threads may use the database at once (its pool size).
    `one_shot`: a CLI command; the services it does not use are never imported (else all are built)."""

    use_command(settings.kolbot_command)
    install_log_redaction(
        [
            settings.tikhub_api_key,
            settings.slack_bot_token,
            settings.slack_app_token,
            settings.slack_signing_secret,
            settings.slack_client_secret,
            settings.slack_state_secret,
            settings.kolbot_secret_key,
        ]
    )
    url = database_url(settings)  # or `DatabaseUrlError`, before anything connects
    migrate(url)
    threads = db_threads or settings.kolbot_workers + settings.kolbot_digest_workers
    engine = make_engine(url, threads=threads, pool_size=settings.kolbot_db_pool_size)
    sessions = session_factory(engine)
    snapshots = CreatorSnapshots(sessions)
    shortlists = ShortlistService(sessions, snapshots)
    budget = BudgetService(SpendStore(sessions), settings)
    cache = SqlResponseCache(sessions)
    extents = SearchExtents(cache)
    tikhub, source = _source(settings, engine, cache, budget)
    services = Services(
        settings=settings,
        engine=engine,
        sessions=sessions,
        source=source,
        search=SearchService(source, on_seen=remember_seen(snapshots, shortlists), extents=extents),
        extents=extents,
        searches=SearchRefs(sessions),
        snapshots=snapshots,
        ledger=RequestLedger(sessions, direct=_direct(engine)),
        shortlists=shortlists,
        workers=WorkerPool(settings.kolbot_workers),
        budget=budget,
        job_posts=JobPosts(sessions),
        tikhub=tikhub,
    )
    if not one_shot:
        services.build_all()
    if settings.uses_queue and not one_shot:
        from bot.observability.metrics import watch_queue
        from bot.queue import queue_depth

        watch_queue(partial(queue_depth, engine))
    return services


def _direct(engine: Engine) -> DirectConnection | None:
    """On PostgreSQL, the connection `kolbot serve` claims its bursts of requests on (opened on first use)."""
    return DirectConnection(engine.url) if engine.dialect.name == "postgresql" else None


def remember_seen(snapshots: CreatorSnapshots, shortlists: ShortlistService) -> Callable[..., None]:
    """`on_seen` for search: keep each creator's latest data, and refresh shortlisted creators'.

    A page served from the cache was recorded when it was fetched: it is not written again."""

    def on_seen(creators: Sequence[Creator], *, live: bool, fetched_at: datetime, from_cache: bool) -> None:
        if from_cache:
            return
        snapshots.save_many(list(creators), live=live, fetched_at=fetched_at)
        shortlists.refresh_latest(creators, live=live, fetched_at=fetched_at)

    return on_seen
