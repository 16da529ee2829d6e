"""The composition root: one place that builds the database, stores, data source and search.

Used by the CLI, the Slack app and the tests, so all three run the same wiring.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.db.engine import make_engine, session_factory
from bot.db.migrate import migrate
from bot.deepdive.service import DeepDiveService, DemoDeepDiveClient
from bot.digests.pipeline import DigestPipeline
from bot.digests.service import DigestService
from bot.grammar import parse_query
from bot.home import HomeService
from bot.i18n import detect_lang, use_command
from bot.installations import installation_store, state_store
from bot.models import Creator, Lang, Query
from bot.planner.mcn import McnLookup
from bot.planner.models import TierBounds
from bot.planner.service import PlanService
from bot.planner.store import PlanStore
from bot.queue import JobQueue
from bot.redact import install_log_redaction
from bot.screen import AudienceScreen
from bot.search import SearchService
from bot.settings import Settings
from bot.shortlists.service import ShortlistService
from bot.slack_clients import SlackClients
from bot.slack_io.digests import ChannelGate, SlackPoster
from bot.slack_io.shortlists import ShortlistSync, UpdateGate
from bot.sources.base import CreatorSource
from bot.sources.cache import UpstreamLimits
from bot.sources.demo import DemoSource
from bot.sources.extents import SearchExtents
from bot.sources.tikhub import TikHubClient, TikHubSource
from bot.spend.budget import BudgetService
from bot.store.digests import DigestStore
from bot.store.http_cache import SqlResponseCache
from bot.store.job_posts import JobPosts
from bot.store.requests import RequestLedger
from bot.store.searches import SearchRefs
from bot.store.snapshots import CreatorSnapshots
from bot.store.spend import SpendStore
from bot.workers import WorkerPool
from bot.workspaces import WorkspaceService


@dataclass
class Services:
    settings: Settings
    engine: Engine
    source: CreatorSource
    search: SearchService
    searches: SearchRefs
    snapshots: CreatorSnapshots
    ledger: RequestLedger
    deepdive: DeepDiveService
    shortlists: ShortlistService
    digests: DigestService
    slack: SlackClients  # Web API clients with each workspace's bot token
    workspaces: WorkspaceService  # installs, removals, the retention purge
    workers: WorkerPool  # slow work after a Slack ack (`handlers.background`)
    plans: PlanService
    budget: BudgetService  # TikHub spend per workspace/user/feature and the monthly budget
    home: HomeService  # what the App Home tab shows
    job_posts: JobPosts  # what each queued job posted, so a job run again posts nothing twice
    tikhub: TikHubClient | None = None
    queue: JobQueue | None = None  # procrastinate, set by the process when `settings.uses_queue`
    shortlist_gate: UpdateGate = field(default_factory=UpdateGate)  # one per process

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
        return self.settings.default_lang

    def lang_for(self, text: str) -> Lang:
        """Chinese when the user typed Chinese, else the configured default."""
        return detect_lang(text, self.default_lang)

    @property
    def screen(self) -> AudienceScreen:
        """The audience screen, through the deep-dive's client: one portrait cache, one bill."""
        return AudienceScreen(self.deepdive)

    def shortlist_sync(self, client: WebClient) -> ShortlistSync:
        """Keeps shortlists' Slack messages in step, through `client` (the app's bot-token client)."""
        return ShortlistSync(
            self.shortlists,
            client,
            gate=self.shortlist_gate,
            default_lang=self.default_lang,
        )

    def close(self) -> None:
        self.workers.shutdown(wait=True)  # finish the work users were told is under way
        if self.queue is not None:
            self.queue.close()
        if self.tikhub is not None:
            self.tikhub.close()
        self.engine.dispose()


def _shared_limits(engine: Engine, settings: Settings) -> UpstreamLimits | None:
    """On PostgreSQL the TikHub rate limit and coalescing span every process; SQLite is one process."""
    if engine.dialect.name != "postgresql":
        return None
    from bot.sources.pg_limits import PostgresLimits  # pyrate-limiter and psycopg_pool: PostgreSQL only

    return PostgresLimits(engine.url, settings.kolbot_tikhub_qps)


def build_services(settings: Settings, *, db_threads: int | None = None) -> Services:
    """Redact secrets from logs, migrate the database, then wire stores, source and search.

    `db_threads`: how many of the process's threads may use the database at once (its pool size)."""

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
    url = settings.effective_database_url
    migrate(url)
    threads = db_threads or settings.kolbot_workers + settings.kolbot_digest_workers
    engine = make_engine(url, threads=threads, pool_size=settings.kolbot_db_pool_size)
    sessions = session_factory(engine)
    installations = installation_store(settings, engine) if settings.oauth_enabled else None
    slack = SlackClients(settings, installations)
    snapshots = CreatorSnapshots(sessions)
    shortlists = ShortlistService(sessions, snapshots)
    budget = BudgetService(SpendStore(sessions), settings)
    cache = SqlResponseCache(sessions)
    extents = SearchExtents(cache)  # which pages each search has, for search and digests alike
    tikhub = (
        None
        if settings.demo_mode
        else TikHubClient(settings, cache=cache, meter=budget, limits=_shared_limits(engine, settings))
    )
    source: CreatorSource = (
        DemoSource(settings.kolbot_price_unit)
        if tikhub is None
        else TikHubSource(tikhub, settings.kolbot_price_unit)
    )
    on_seen = remember_seen(snapshots, shortlists)
    search = SearchService(source, on_seen=on_seen, extents=extents)
    detail_client = DemoDeepDiveClient(snapshots) if tikhub is None else tikhub
    digest_store = DigestStore(sessions)
    digest_pipeline = DigestPipeline(
        digest_store,
        source=source,  # the same source as search: one cache and coalescing for both
        shortlists=shortlists,
        poster=SlackPoster(
            slack,
            gate=ChannelGate(settings.kolbot_digest_post_interval_s),
        ),
        settings=settings,
        on_seen=[on_seen],
        extents=extents,
    )
    digests = DigestService(digest_store, digest_pipeline, settings=settings)
    return Services(
        settings=settings,
        engine=engine,
        source=source,
        search=search,
        searches=SearchRefs(sessions),
        snapshots=snapshots,
        ledger=RequestLedger(sessions),
        # Same TikHub client as search: one cache, one rate limiter, one bill.
        deepdive=DeepDiveService(detail_client, seen=snapshots),
        shortlists=shortlists,
        digests=digests,
        slack=slack,
        workspaces=WorkspaceService(
            sessions,
            digests,
            retention=timedelta(days=settings.kolbot_retention_days),
            installations=installations,
            states=state_store(settings, engine) if settings.oauth_enabled else None,
        ),
        workers=WorkerPool(settings.kolbot_workers),
        budget=budget,
        job_posts=JobPosts(sessions),
        home=HomeService(sessions, budget),
        tikhub=tikhub,
        plans=PlanService(
            PlanStore(sessions),
            shortlists,
            search,
            McnLookup(detail_client),
            TierBounds(
                head_min=settings.kolbot_plan_head_min_followers,
                mid_min=settings.kolbot_plan_mid_min_followers,
            ),
        ),
    )


def remember_seen(snapshots: CreatorSnapshots, shortlists: ShortlistService) -> Callable[..., None]:
    """`on_seen` for search: keep each creator's latest data, and refresh shortlisted creators'.

    A page served from the cache was recorded when it was fetched: it is not written again."""

    def on_seen(creators: Sequence[Creator], *, live: bool, fetched_at: datetime, from_cache: bool) -> None:
        if from_cache:
            return
        snapshots.save_many(list(creators), live=live, fetched_at=fetched_at)
        shortlists.refresh_latest(creators, live=live, fetched_at=fetched_at)

    return on_seen
