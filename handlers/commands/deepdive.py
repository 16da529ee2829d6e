"""`/kol show <id>` and `/kol compare <id> <id> …`: a deep-dive or comparison card, charts in its thread.

Both take the search grammar's `duration=` and `audience_*=` options (and `lang=`), so the words
and units are the same as in a search; any other search option is refused by name.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot.cards.deepdive_views import compare_message, deepdive_message
from bot.deepdive.audience import AudienceTargets, parse_audience_targets
from bot.deepdive.compare import MAX_CREATORS, check_compare_ids
from bot.deepdive.models import DeepDive
from bot.deepdive.routes import ENDPOINT_COST_USD, ROUTES
from bot.deepdive.service import classify_identifier, show_with_snapshot
from bot.errors import QueryError
from bot.i18n import pick
from bot.models import Creator, Duration, Lang, Query
from bot.services import Services
from bot.slack_io.deepdive import CardFor, Chart, compare_charts, deep_dive_charts, deliver
from bot.spend.payer import Feature
from handlers.background import run_after_ack
from handlers.replies import refusal, respond_ephemeral

COMPARE_WORDS = {"compare", "对比", "比较"}
# The grammar needs a keyword; creator ids are the keywords after this placeholder.
_PLACEHOLDER = "_"
_OPTIONS = {"raw", "keywords", "audience", "duration", "lang", "pages", "top"}


def show_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
    args: str,
    lang: Lang,
) -> None:
    services: Services = context["services"]
    name = command["command"]
    try:
        query = _arguments(services, args, *_show_usage(name))
        if len(query.keywords) != 2:
            raise _one_creator(query.keywords[1:], name)
        classify_identifier(query.keywords[1])  # a malformed id is refused before any call
    except QueryError as err:
        ack(**refusal(err, lang))
        return
    lang, identifier = query.lang or lang, query.keywords[1]
    ack(text=_fetching_note([identifier], services.deepdive.live, lang))

    def work() -> None:
        dive, creator = load_deep_dive(services, identifier)
        post_deep_dive(services, context, command["channel_id"], respond, dive, creator, query, lang)

    run_after_ack(context, respond, lang, logger, work, feature=Feature.DEEP_DIVE)


def compare_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
    args: str,
    lang: Lang,
) -> None:
    services: Services = context["services"]
    try:
        query = _arguments(services, args, *_compare_usage(command["command"]))
        identifiers = check_compare_ids(query.keywords[1:])
        for identifier in identifiers:
            classify_identifier(identifier)
    except QueryError as err:
        ack(**refusal(err, lang))
        return
    lang = query.lang or lang
    ack(text=_fetching_note(identifiers, services.deepdive.live, lang))

    def work() -> None:
        post_comparison(services, context, command["channel_id"], respond, identifiers, query, lang)

    run_after_ack(context, respond, lang, logger, work, feature=Feature.DEEP_DIVE)


# -- shared with the buttons --------------------------------------------------------------


def load_deep_dive(services: Services, identifier: str) -> tuple[DeepDive, Creator | None]:
    """The deep-dive with the creator's search snapshot; `KolbotError` when not a single part arrived."""
    return show_with_snapshot(services.deepdive, services.snapshots, identifier)


def post_deep_dive(
    services: Services,
    context: BoltContext,
    channel: str,
    respond: Respond,
    dive: DeepDive,
    creator: Creator | None,
    query: Query | None,
    lang: Lang,
) -> None:
    """The card in `channel` (privately when the bot cannot post there), charts in its thread.

    `query` gives the video length to highlight and the audience targets: the command's own
    options, or the search behind a Details click (None: neither).
    """
    duration, targets = (query.duration, _targets(query)) if query else (Duration.MEDIUM, None)
    _deliver(
        services,
        context,
        channel,
        respond,
        lambda notice: deepdive_message(
            dive, lang, creator=creator, duration=duration, targets=targets, notice=notice
        ),
        deep_dive_charts(dive, lang),
        lang,
    )


def post_comparison(
    services: Services,
    context: BoltContext,
    channel: str,
    respond: Respond,
    identifiers: list[str],
    query: Query,
    lang: Lang,
    *,
    thread_ts: str | None = None,
) -> None:
    """The comparison card in `channel` (in `thread_ts` if given), its chart in the same thread."""
    targets = _targets(query)
    comparison = services.deepdive.compare(identifiers, query.duration, targets=targets)
    live = services.deepdive.live
    _deliver(
        services,
        context,
        channel,
        respond,
        lambda notice: compare_message(comparison, lang, live=live, targets=targets, notice=notice),
        compare_charts(comparison, lang),
        lang,
        thread_ts=thread_ts,
    )


def _deliver(
    services: Services,
    context: BoltContext,
    channel: str,
    respond: Respond,
    card_for: CardFor,
    charts: Sequence[Chart],
    lang: Lang,
    *,
    thread_ts: str | None = None,
) -> None:
    """`deliver` as both cards go out: public per settings, privately when the bot cannot post."""
    deliver(
        context.client,
        channel,
        card_for,
        charts,
        reply_privately=lambda message: respond_ephemeral(respond, message),
        lang=lang,
        public=services.settings.kolbot_results_in_channel,
        thread_ts=thread_ts,
    )


# -- arguments -------------------------------------------------------------------------------


def _arguments(services: Services, args: str, usage_en: str, usage_zh: str) -> Query:
    """Ids and options through the search grammar; any option but duration/audience/lang is an error."""
    try:
        query = services.parse_query(f"{_PLACEHOLDER} {args}")
    except QueryError as err:
        raise QueryError(err.token, err.en, err.zh, usage_en=usage_en, usage_zh=usage_zh) from None
    defaults = Query()
    extra = [f for f in Query.model_fields if f not in _OPTIONS and getattr(query, f) != getattr(defaults, f)]
    if extra:
        names = ", ".join(extra)
        raise QueryError(
            names,
            f"Search options do not apply here: {names}. Only `duration=`, `audience_…=` and `lang=` do.",
            f"这里不能使用搜索条件：{names}。只能使用 `duration=`、`audience_…=` 和 `lang=`。",
            usage_en=usage_en,
            usage_zh=usage_zh,
        )
    return query


def _targets(query: Query) -> AudienceTargets | None:
    return parse_audience_targets(query.audience) if query.audience else None


def _show_usage(name: str) -> tuple[str, str]:
    return (
        f"Example: `{name} show 6912345678901234567` (Xingtu id), `{name} show @douyin_handle` or "
        f"`{name} show <Douyin uid>`; add `audience_gender=female>=70%` to check the audience fit.",
        f"示例：`{name} show 6912345678901234567`（星图 ID）、`{name} show @抖音号` 或 "
        f"`{name} show <抖音 uid>`；加上 `audience_gender=female>=70%` 可核对受众匹配度。",
    )


def _compare_usage(name: str) -> tuple[str, str]:
    return (
        f"Example: `{name} compare 6912345678901234567 @another_handle duration=1-20` "
        f"(2-{MAX_CREATORS} creators; price, CPM and CPE all for one video length, default 21-60 s).",
        f"示例：`{name} compare 6912345678901234567 @另一个抖音号 duration=1-20`"
        f"（2-{MAX_CREATORS} 位达人；报价、CPM、CPE 均按同一视频时长计算，默认 21-60 秒）。",
    )


def _one_creator(ids: list[str], name: str) -> QueryError:
    if not ids:
        en, zh = "`show` needs a creator id.", "`show` 后需要一个达人 ID。"
    else:
        en = f"`show` takes one creator, not {len(ids)}; to put several side by side use `{name} compare`."
        zh = f"`show` 只能查看一位达人（你提供了 {len(ids)} 个）；多位达人对比请用 `{name} compare`。"
    usage_en, usage_zh = _show_usage(name)
    return QueryError(" ".join(ids) or "show", en, zh, usage_en=usage_en, usage_zh=usage_zh)


def _fetching_note(identifiers: list[str], live: bool, lang: Lang) -> str:
    shown = ", ".join(identifiers)
    if not live:
        return pick(lang, f"Loading the demo deep-dive for {shown}…", f"正在加载 {shown} 的演示数据…")
    calls = len(identifiers) * len(ROUTES)
    most = f"${calls * ENDPOINT_COST_USD:.2f}"
    return pick(
        lang,
        f"Fetching {shown} from Xingtu: {calls} data calls, at most {most} (cached answers are free)…",
        f"正在从星图获取 {shown}：{calls} 次数据调用，最多 {most}（缓存结果免费）…",
    )
