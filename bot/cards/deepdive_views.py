"""Deep-dive (`/kol show`, Details) and comparison (`/kol compare`) cards.

Lines here are plain text; the templates escape them for mrkdwn and clip them to Slack's limits.
Section titles live in the templates; the lines, which need Python (ordering portraits, picking
the source of a cost), are built here. A part that did not arrive is shown in its place as
`Part.wording` ("audience data unavailable: Xingtu declined to share it"), never left blank. The search
snapshot (`creator`), when there is one, fills in what the deep-dive lacks and adds the videos,
the e-commerce figures and the Xingtu labels. Dates are China dates (`bot.deepdive.dates`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

from bot import formatting as fmt
from bot.cards.env import clip
from bot.cards.render import SlackMessage, render, section_chunks
from bot.cards.validate import MAX_SECTION_TEXT
from bot.charts import sparkline
from bot.deepdive.audience import AudienceFit, FitStatus, audience_fit
from bot.deepdive.compare import METRICS, MONEY_METRICS, Comparison, MetricKey, Row
from bot.deepdive.dates import china_date, ended_on
from bot.deepdive.flags import flagged_days
from bot.deepdive.models import (
    DISTRIBUTION_LABELS,
    INDEX_LABELS,
    DeepDive,
    Distribution,
    DistributionKind,
    Part,
    RatedMetric,
    RiskFlag,
    ServicePrice,
    Severity,
)
from bot.deepdive.routes import ENDPOINT_COST_USD, LOOKUP_COST_USD
from bot.deepdive.vocabulary import CITY_TIER_ORDER, RANGE_SUFFIXES
from bot.i18n import N_, ntr, tr
from bot.models import AudienceTargets, Creator, Duration, EcomProfile, Lang, Price

MAX_FLAGS = 12
MAX_FLAG_CHARS = 600  # a flag quoting a very long upstream label stays readable
MAX_RECENT = 10
MAX_FIELDS = 10
_BUCKETS = 5
_NAME_CHARS = 24
_TITLE_CHARS = 60
_SHOWN_DAYS = 6
_OPEN_END_YEAR = 2038  # upstream's "no end date" is 2038-01-01
_PORTRAIT_KINDS = (
    DistributionKind.GENDER,
    DistributionKind.AGE,
    DistributionKind.CITY_TIER,
    DistributionKind.PROVINCE,
    DistributionKind.DEVICE,
)
_GENDER_CODES = {1: N_("male"), 2: N_("female")}
_ICONS = {Severity.HIGH: ":red_circle:", Severity.WARN: ":warning:", Severity.INFO: ":information_source:"}
# `XingtuFlags` field -> what the label means, in plain words
_XINGTU_LABELS = {
    "black_horse": N_("rising creator (“black horse”)"),
    "cocreate": N_("takes co-creation tasks"),
    "cpm_project": N_("takes CPM (pay-per-play) deals"),
    "excellent": N_("excellent creator"),
    "star_excellent": N_("Xingtu excellent creator"),
    "qianchuan_high_potential": N_("Qianchuan high-potential creator"),
    "short_drama": N_("makes short dramas"),
    "local_lower_threshold": N_("local creator with a low entry threshold"),
    "high_quality_ad": N_("high-quality ad creator"),
}


def _section(
    part: Part | None, lang: Lang, lines: Sequence[str] = (), fields: Sequence[tuple[str, str]] = ()
) -> dict[str, Any]:
    """What `_deepdive_section.json.j2` shows: why `part` is missing (if it is), lines, fields.

    `part` is None for a section built from the search snapshot alone.
    """
    missing = None if part is None or part.ok else tr(lang, part.wording())
    return {"missing": missing, "lines": list(lines), "fields": list(fields)[:MAX_FIELDS]}


def _china_date(moment: datetime) -> str:
    return china_date(moment).isoformat()


# -- profile -------------------------------------------------------------------------------


def _name(dive: DeepDive, creator: Creator | None) -> str:
    return dive.nickname or (creator.nickname if creator else "") or dive.star_id


def _profile_creator(dive: DeepDive, creator: Creator | None) -> Creator:
    """Ids and links: the deep-dive's own where it has them, else the search snapshot's."""
    base = dive.base.data
    uid = (base.core_user_id if base else None) or (creator.douyin_uid if creator else None)
    return Creator(star_id=dive.star_id, nickname=_name(dive, creator), douyin_uid=uid)


def _meta(dive: DeepDive, creator: Creator | None, lang: Lang) -> list[str]:
    base = dive.base.data
    region = [base.province, base.city] if base else [creator.province, creator.city] if creator else []
    gender = _GENDER_CODES.get(base.gender) if base and base.gender is not None else None
    return [
        tr(lang, "Xingtu id ") + dive.star_id,
        tr(lang, "Douyin handle ") + base.unique_id if base and base.unique_id else "",
        fmt.place(region, lang),
        tr(lang, gender) if gender else "",
    ]


def _tags(dive: DeepDive, creator: Creator | None) -> list[str]:
    base = dive.base.data
    if base and base.tags:
        tags = [tag for level1, level2 in base.tags.items() for tag in level2 or [level1]]
    else:
        tags = creator.tag_list if creator else []
    industry = dive.prices.data.industry_tags if dive.prices.data else []
    # "美妆-护肤保养" says nothing more when "护肤保养" is already a tag
    industry = [t for t in industry if t.rpartition("-")[2] not in tags]
    return list(dict.fromkeys(tags + industry))


def _xingtu_labels(creator: Creator | None, lang: Lang) -> str | None:
    """The true Xingtu labels in plain words, "none" when all are false, None when unknown."""
    flags = asdict(creator.flags) if creator else {}
    known = {key: flags[key] for key in _XINGTU_LABELS if flags.get(key) is not None}
    if not known:
        return None
    labels = [tr(lang, _XINGTU_LABELS[key]) for key, value in known.items() if value]
    return tr(lang, ", ").join(labels) or tr(lang, "none")


def _profile(dive: DeepDive, creator: Creator | None, lang: Lang) -> dict[str, Any]:
    base = dive.base.data
    followers = base.followers if base else None
    if followers is None and creator is not None:
        followers = creator.followers
    mcn = (base.mcn_name or tr(lang, "none listed")) if base else fmt.DASH
    labels = _xingtu_labels(creator, lang)
    fields = [
        (tr(lang, "Followers"), fmt.count(followers, lang)),
        ("MCN", mcn),
        (tr(lang, "Verification"), (base.verification if base else None) or fmt.DASH),
        (
            tr(lang, "Joined Xingtu"),
            _china_date(base.created_at) if base and base.created_at else fmt.DASH,
        ),
        *([(tr(lang, "Xingtu labels"), labels)] if labels else []),
        (tr(lang, "Tags"), tr(lang, ", ").join(_tags(dive, creator)) or fmt.DASH),
    ]
    return _section(dive.base, lang, fields=fields)


# -- e-commerce (search data) -----------------------------------------------------------------


def _range(bucket: str | None, lang: Lang) -> str:
    """An upstream bucket ("1k-3w", "2%以下", "<=80") in the reader's language."""
    if not bucket:
        return fmt.DASH
    text = bucket.strip().replace("<=", "≤").replace(">=", "≥")
    if lang == "en":
        for word, sign in RANGE_SUFFIXES:
            if text.endswith(word):
                text = sign + text.removesuffix(word)
    return fmt.wan_range(text, lang)


def _shop_level(dive: DeepDive, creator: Creator | None, lang: Lang) -> str:
    """E.g. "L3 · shop window on": the level from search, the shop window from the profile, else search."""
    base = dive.base.data
    enabled = base.e_commerce_enabled if base else None
    if enabled is None and creator is not None:
        enabled = creator.ecom.enabled
    shop = {
        True: tr(lang, "shop window on"),
        False: tr(lang, "shop window off"),
    }
    parts = [creator.ecom.level if creator else None, None if enabled is None else shop[enabled]]
    return " · ".join(p for p in parts if p) or fmt.DASH


def _ecom_figures(ecom: EcomProfile, lang: Lang) -> list[tuple[str, str]]:
    """The score and 30-day figures search knows, labelled with their units."""
    figures = {
        N_("E-commerce score"): fmt.DASH if ecom.score is None else f"{round(ecom.score, 1):g}",
        N_("GMV (30 d, ¥)"): _range(ecom.gmv_30d_range, lang),
        N_("Avg order value (30 d, ¥)"): _range(ecom.avg_order_value_30d_range, lang),
        N_("GPM (30 d, ¥ per 1,000 plays)"): _range(ecom.gpm_30d_range, lang),
        N_("Product-video CTR (30 d)"): _range(ecom.video_ctr_30d_range, lang),
        N_("Product videos (30 d)"): fmt.count(ecom.product_videos_30d, lang),
    }
    return [(tr(lang, label), value) for label, value in figures.items() if value != fmt.DASH]


def _ecommerce(dive: DeepDive, creator: Creator | None, lang: Lang) -> dict[str, Any]:
    """Level and shop window, then the e-commerce figures the search snapshot has."""
    level = (tr(lang, "Level"), _shop_level(dive, creator, lang))
    if creator is None:
        note = tr(
            lang,
            "Sales figures come from search results, and this creator has not been in one yet.",
        )
        return _section(None, lang, lines=[note], fields=[level])
    figures = _ecom_figures(creator.ecom, lang)
    if not figures:
        note = tr(lang, "No e-commerce figures in the search data.")
        return _section(None, lang, lines=[note], fields=[level])
    return _section(None, lang, fields=[level, *figures])


# -- prices and costs --------------------------------------------------------------------------


def _quote_label(quote: Price, lang: Lang) -> str:
    return tr(lang, quote.wording())


def _window(quote: Price, lang: Lang) -> str:
    if quote.start_time is None and quote.end_time is None:
        return ""
    start = _china_date(quote.start_time) if quote.start_time else "?"
    if quote.end_time is None or quote.end_time.year >= _OPEN_END_YEAR:
        return tr(lang, "valid from %(start)s, no end date", start=start)
    return tr(lang, "valid %(start)s → %(china_date)s", start=start, china_date=_china_date(quote.end_time))


def _quote_line(quote: Price, lang: Lang, searched: bool, today: date) -> str:
    if quote.video_type == 92:  # CPM settlement: the amount is per 1,000 plays
        amount = fmt.cpm(quote.yuan if quote.yuan > 0 else None, lang)
        if quote.floor_yuan or quote.ceiling_yuan:
            budget = f"{fmt.yuan(quote.floor_yuan, lang)}–{fmt.yuan(quote.ceiling_yuan, lang)}"
            amount += tr(lang, ", total budget %(budget)s", budget=budget)
    else:
        amount = fmt.yuan(quote.yuan if quote.yuan > 0 else None, lang)
    parts = [f"{_quote_label(quote, lang)}{tr(lang, ': ')}{amount}"]
    if quote.last_month_yuan:
        change = quote.yuan / quote.last_month_yuan - 1
        before = fmt.yuan(quote.last_month_yuan, lang)
        parts.append(
            tr(lang, "last month %(before)s (%(change)s)", before=before, change=format(change, "+.0%"))
        )
    if quote.discount_pct:
        parts.append(tr(lang, "%(discount_pct)s%% off", discount_pct=format(quote.discount_pct, "g")))
    parts.append(_window(quote, lang))
    if ended_on(quote, today):
        parts.append(tr(lang, ":warning: ended: ask for a current price"))
    if isinstance(quote, ServicePrice) and quote.enabled is False:
        parts.append(tr(lang, "not bookable now"))
    line = " · ".join(p for p in parts if p)
    return line + tr(lang, "  ← the length you asked for") if searched else line


def _prices(
    dive: DeepDive, creator: Creator | None, duration: Duration, lang: Lang, today: date
) -> dict[str, Any]:
    """The full Xingtu price list; the search snapshot's quotes when the list did not arrive."""
    quotes: list[Price] = list(dive.prices.data.quotes) if dive.prices.data else []
    note = []
    if dive.prices.data is None and creator is not None and creator.prices:
        quotes = list(creator.prices.values())
        note = [tr(lang, "Showing the quotes from search results instead.")]
    lines = [
        _quote_line(q, lang, q.video_type == duration.video_type, today)
        for q in sorted(quotes, key=lambda q: q.video_type)
    ]
    return _section(dive.prices, lang, lines=note + lines)


def _cost(
    dive: DeepDive, creator: Creator | None, duration: Duration, metric: str
) -> tuple[float | None, bool]:
    """CPM or CPE for one length, and whether it is the search snapshot's: Xingtu's detail estimate
    (cost-performance data, else the overview) first, else the search snapshot's."""
    for source in (dive.cp.data, dive.overview.data):
        values = getattr(source, metric) if source else {}
        if duration in values:
            return values[duration], False
    if creator is None:
        return None, False
    value = creator.cpm(duration) if metric == "cpm" else creator.cpe(duration)
    return value, value is not None


def _cost_text(dive: DeepDive, creator: Creator | None, duration: Duration, lang: Lang) -> tuple[str, bool]:
    """The "CPM …" and "CPE …" lines of one length (a search figure says so), and whether either
    is Xingtu's detail estimate."""
    lines, detail = [], False
    for metric, show in (("cpm", fmt.cpm), ("cpe", fmt.cpe)):
        value, from_search = _cost(dive, creator, duration, metric)
        detail = detail or (value is not None and not from_search)
        suffix = tr(lang, " · from search results") if from_search else ""
        lines.append(f"{metric.upper()} {show(value, lang)}{suffix}")
    return "\n".join(lines), detail


def _price(dive: DeepDive, creator: Creator | None, duration: Duration, lang: Lang, today: date) -> str:
    """One length's price as the cost section shows it, flagged when its quote has ended."""
    quote: Price | None = dive.quote(duration)
    if quote is None and creator is not None:
        quote = creator.prices.get(duration.video_type)
    shown = tr(lang, "Price ") + fmt.yuan(quote.yuan if quote and quote.yuan > 0 else None, lang)
    return shown + tr(lang, " (quote ended)") if ended_on(quote, today) else shown


def _costs(
    dive: DeepDive, creator: Creator | None, duration: Duration, lang: Lang, today: date
) -> dict[str, Any]:
    """Price, CPM and CPE per length. Xingtu's detail estimates of CPM and CPE need not equal the
    search's (`sn_prospective_*_cpe`, or kolbot's own), which the results card shows: the section says so."""
    fields, detail = [], False
    for d in Duration:
        label = fmt.duration_label(d, lang) + (tr(lang, " (asked for)") if d == duration else "")
        costs, any_detail = _cost_text(dive, creator, d, lang)
        detail = detail or any_detail
        fields.append((label, _price(dive, creator, d, lang, today) + "\n" + costs))
    plays = dive.cp.data.expected_plays if dive.cp.data else None
    plays = plays if plays is not None else (creator.expected_plays if creator else None)
    fields.append((tr(lang, "Expected plays per video"), fmt.count(plays, lang)))
    note = tr(
        lang,
        "CPM and CPE here are Xingtu's detail estimates; the results card's come from search data "
        "and can differ.",
    )
    return _section(dive.cp, lang, lines=[note] if detail else [], fields=fields)


# -- content, audience, trend, indices ------------------------------------------------------


def _rated(metric: RatedMetric | None, lang: Lang) -> str:
    if metric is None:
        return fmt.DASH
    if metric.beats_pct is None:
        return fmt.pct(metric.value)
    peers = metric.industry or tr(lang, "same-industry")
    return fmt.pct(metric.value) + tr(
        lang,
        " · beats %(beats_pct)s%% of %(peers)s creators",
        beats_pct=format(metric.beats_pct, ".0f"),
        peers=peers,
    )


def _overview(dive: DeepDive, lang: Lang) -> dict[str, Any]:
    o = dive.overview.data
    if o is None:
        return _section(dive.overview, lang)
    engagement = " · ".join(fmt.count(v, lang) for v in (o.avg_likes, o.avg_comments, o.avg_shares))
    fields = [
        (tr(lang, "Median plays"), fmt.count(o.median_plays, lang)),
        (tr(lang, "Avg likes · comments · shares"), engagement),
        (tr(lang, "Engagement rate"), _rated(o.interact_rate, lang)),
        (tr(lang, "Completion rate"), _rated(o.completion_rate, lang)),
        (tr(lang, "Videos"), fmt.count(o.items, lang)),
    ]
    return _section(dive.overview, lang, fields=fields)


def _ordered(distribution: Distribution) -> list[tuple[str, float]]:
    shares = distribution.shares()
    if distribution.kind is DistributionKind.AGE:
        digits = {k: "".join(ch if ch.isdigit() else " " for ch in k).split() for k in shares}
        return sorted(shares.items(), key=lambda kv: int(digits[kv[0]][0]) if digits[kv[0]] else 999)
    if distribution.kind is DistributionKind.CITY_TIER:
        order = CITY_TIER_ORDER
        return sorted(shares.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))
    return sorted(shares.items(), key=lambda kv: -kv[1])[:_BUCKETS]


def _portrait_line(distribution: Distribution, lang: Lang) -> str:
    label = tr(lang, DISTRIBUTION_LABELS[distribution.kind])
    buckets = [f"{fmt.bucket(key, lang)} {share:.0%}" for key, share in _ordered(distribution)]
    return f"{label}{tr(lang, ': ')}{' · '.join(buckets)}"


def _portrait(part: Part, lang: Lang) -> dict[str, Any]:
    portrait = part.data
    lines = [_portrait_line(d, lang) for kind in _PORTRAIT_KINDS if portrait and (d := portrait.get(kind))]
    return _section(part, lang, lines=lines)


_FIT_MARKS = {FitStatus.PASS: "✅", FitStatus.FAIL: "❌", FitStatus.UNKNOWN: "❔"}


def fit_summary(fit: AudienceFit, lang: Lang) -> str:
    """'Audience fit: 1 of 2 targets met (✅ female ≥ 60%: 74%; ❌ age 18–30 ≥ 50%: 31%)'.

    The count leads, not the mean of shares over targets (`overall_pct`, which ranks a compare):
    two failed targets of three can still average 65%, which reads like a good fit."""
    parts = []
    for target_fit in fit.fits:
        seen = f"{target_fit.share:.0%}" if target_fit.share is not None else tr(lang, "no data")
        wording = tr(lang, target_fit.target.wording())
        parts.append(f"{_FIT_MARKS[target_fit.status]} {wording}{tr(lang, ': ')}{seen}")
    met = sum(f.status is FitStatus.PASS for f in fit.fits)
    return tr(
        lang,
        "Audience fit: %(met)s of %(total)s targets met (%(targets)s)",
        met=met,
        total=len(fit.fits),
        targets=tr(lang, "; ").join(parts),
    )


def _fit(dive: DeepDive, targets: AudienceTargets | None, lang: Lang) -> str | None:
    """Audience fit against the search's `audience_*` targets (the follower portrait if need be)."""
    if not targets:
        return None
    fit = fit_summary(audience_fit(dive.audience.data or dive.fans.data, targets), lang)
    if dive.audience.data is None and dive.fans.data is not None:
        fit += tr(lang, " — from the follower portrait")
    return fit


def _trend(dive: DeepDive, lang: Lang) -> dict[str, Any]:
    series = dive.daily_fans.data
    if series is None or not series.points:
        return _section(dive.daily_fans, lang)
    first, last = series.points[0], series.points[-1]
    change = last.followers - first.followers
    rate = change / first.followers if first.followers else None
    days = len(series.points)
    lines = [
        f"`{sparkline([p.followers for p in series.points])}`",
        tr(
            lang,
            "%(days)s-day change (%(isoformat)s → %(isoformat2)s): ",
            days=days,
            isoformat=first.day.isoformat(),
            isoformat2=last.day.isoformat(),
        )
        + fmt.growth(change, rate, lang),
    ]
    marked = flagged_days(dive.flags)
    if marked:
        shown = ", ".join(d.isoformat() for d in marked[:_SHOWN_DAYS])
        lines.append(tr(lang, "Flagged days: %(shown)s", shown=shown))
    return _section(dive.daily_fans, lang, lines=lines)


def _indices(dive: DeepDive, creator: Creator | None, lang: Lang) -> dict[str, Any]:
    """Each Xingtu index against its peers; the search snapshot's values when the indices did not arrive."""
    index = dive.index.data
    if index is None:
        return _search_indices(dive, creator, lang)
    fields = []
    for score in index.scores:
        parts = [fmt.index(score.value)]
        if score.avg_value is not None:
            parts.append(tr(lang, "peers ") + fmt.index(score.avg_value))
        if score.rank_pct is not None:
            parts.append(tr(lang, "beats %(rank_pct)s%%", rank_pct=format(score.rank_pct, ".0f")))
        label = tr(lang, INDEX_LABELS[score.key]) if score.key in INDEX_LABELS else score.key
        fields.append((label, " · ".join(parts)))
    return _section(dive.index, lang, fields=fields)


def _search_indices(dive: DeepDive, creator: Creator | None, lang: Lang) -> dict[str, Any]:
    """The four indices search data carries (the same Xingtu index as the results card), without peers."""
    values = (
        {
            "link_star_index": creator.link_star_index,
            "link_spread_index": creator.spread_index,
            "link_shopping_index": creator.shopping_index,
            "link_convert_index": creator.convert_index,
        }
        if creator
        else {}
    )
    fields = [(tr(lang, INDEX_LABELS[key]), fmt.index(v)) for key, v in values.items() if v is not None]
    note = [tr(lang, "Showing the indices from search results instead.")] if fields else []
    return _section(dive.index, lang, lines=note, fields=fields)


# -- flags, videos, cost -------------------------------------------------------------------


def _flags(flags: Sequence[RiskFlag], lang: Lang) -> list[str]:
    if not flags:
        return [tr(lang, "No risk flags in the data that arrived.")]
    lines = [clip(f"{_ICONS[f.severity]} {tr(lang, f.text)}", MAX_FLAG_CHARS) for f in flags[:MAX_FLAGS]]
    if len(flags) > MAX_FLAGS:
        more = len(flags) - MAX_FLAGS
        lines.append(tr(lang, "…and %(more)s more.", more=more))
    return section_chunks(lines, MAX_SECTION_TEXT - 100)  # room for the section title


def _recent(creator: Creator | None, lang: Lang) -> list[str]:
    items = creator.recent_works()[:MAX_RECENT] if creator else []
    if not items:
        return [
            tr(lang, "No recent videos: they come from search results, and this creator has none there yet.")
        ]
    lines = []
    for item in items:
        when = _china_date(item.published_at) if item.published_at else fmt.DASH
        stats = tr(
            lang,
            "%(count)s plays · %(count2)s likes · %(count3)s comments · %(count4)s shares",
            count=fmt.count(item.views, lang),
            count2=fmt.count(item.likes, lang),
            count3=fmt.count(item.comments, lang),
            count4=fmt.count(item.shares, lang),
        )
        title = item.title.strip()[:_TITLE_CHARS]
        lines.append(f"{when}  {stats}" + (f" — {title}" if title else ""))
    return lines


def _pricing(lang: Lang) -> str:
    endpoint, lookup = f"${ENDPOINT_COST_USD:.2f}", f"${LOOKUP_COST_USD:.3f}"
    return tr(
        lang,
        "TikHub bills %(endpoint)s per profile endpoint call and "
        "%(lookup)s per id lookup; cached answers are free.",
        endpoint=endpoint,
        lookup=lookup,
    )


def _cost_lines(dive: DeepDive, lang: Lang) -> list[str]:
    if not dive.live:
        return [tr(lang, "Demo data: no TikHub calls, no cost.")]
    return [tr(lang, dive.cost_line()), _pricing(lang)]


def deepdive_message(
    dive: DeepDive,
    lang: Lang,
    *,
    creator: Creator | None = None,
    duration: Duration = Duration.MEDIUM,
    targets: AudienceTargets | None = None,
    notice: str | None = None,
    now: datetime | None = None,
) -> SlackMessage:
    """Everything the deep-dive found about one creator, with what is missing marked in place.

    `creator` is the search snapshot (prices, costs and videos from search); `duration` is the
    length to highlight; `targets` adds the audience fit; `notice` (e.g. why charts are not in a
    thread) is shown at the top and replaces the "charts in the thread" hint.
    """
    name = _name(dive, creator)
    ids = _profile_creator(dive, creator)
    now = now or datetime.now(UTC)
    today = china_date(now)
    context = {
        "lang": lang,
        "now": now,
        "live": dive.live,
        "notice": notice,
        "name": name,
        "star_id": dive.star_id,
        "douyin_url": ids.douyin_url,
        "xingtu_url": ids.xingtu_url,
        "meta": [m for m in _meta(dive, creator, lang) if m],
        "fetched_at": dive.fetched_at,
        "profile": _profile(dive, creator, lang),
        "ecommerce": _ecommerce(dive, creator, lang),
        "prices": _prices(dive, creator, duration, lang, today),
        "costs": _costs(dive, creator, duration, lang, today),
        "overview": _overview(dive, lang),
        "audience": _portrait(dive.audience, lang),
        "fit": _fit(dive, targets, lang),
        "fans": _portrait(dive.fans, lang),
        "trend": _trend(dive, lang),
        "indices": _indices(dive, creator, lang),
        "flags": _flags(dive.flags, lang),
        "recent": _recent(creator, lang),
        "costs_footer": _cost_lines(dive, lang),
    }
    missing = len(dive.missing)
    fallback = tr(lang, "Deep-dive: %(name)s (Xingtu id %(star_id)s)", name=name, star_id=dive.star_id)
    if missing:
        fallback += tr(lang, ", %(missing)s of 8 parts missing", missing=missing)
    return render("deepdive.json.j2", context, fallback_text=fallback)


# -- comparison ------------------------------------------------------------------------------


def _row_label(row: Row, duration: Duration, lang: Lang) -> str:
    label = tr(lang, row.label)
    label = label[:1].upper() + label[1:]
    if row.key in MONEY_METRICS:
        label += f" · {fmt.duration_label(duration, lang)}"
    if METRICS[row.key].judged and not METRICS[row.key].higher_is_better:
        label += tr(lang, " (lower is better)")
    return label


def _cell(row: Row, i: int, lang: Lang, *, priced: bool) -> str:
    """A creator's value on a row, with its standing; `priced`: the creator has a quote for the length."""
    cell = row.cells[i]
    value = row.shown(i, lang)
    if cell.value is None and row.key in MONEY_METRICS and not priced:
        return value + tr(lang, "  · no quote for this length")
    if cell.ended is not None:
        return value + tr(lang, "  · :warning: quote ended %(day)s: not ranked", day=cell.ended.isoformat())
    if cell.searched:
        value += tr(lang, " (last search)")
    if cell.best:
        return f"{value}  :trophy: " + tr(lang, "best")
    if cell.percentile is None:
        return value
    if cell.percentile == 0:
        return value + tr(lang, "  · worst of the group")
    return value + tr(lang, "  · beats %(percentile)s%%", percentile=format(cell.percentile, ".0f"))


def _left_out(comparison: Comparison, left_out: Sequence[str], swap: Sequence[str], lang: Lang) -> str:
    """Who a shortlist's Compare left out, and the command that compares one of them instead."""
    if not left_out:
        return ""
    names = tr(lang, ", ").join(map(_short, left_out))
    return tr(
        lang,
        "Compared %(shown)s of %(total)s: the furthest along and best voted. Not compared: %(names)s. "
        "To swap one in: `%(command)s compare %(ids)s`",
        shown=len(comparison.star_ids),
        total=len(comparison.star_ids) + len(left_out),
        names=names,
        ids=f"{' '.join(swap)} duration={comparison.duration.value}",  # at the shortlist's length
    )


def _short(name: str) -> str:
    return name if len(name) <= _NAME_CHARS else name[: _NAME_CHARS - 1] + "…"


def compare_message(
    comparison: Comparison,
    lang: Lang,
    *,
    live: bool,
    targets: AudienceTargets | None = None,
    notice: str | None = None,
    left_out: Sequence[str] = (),
    swap: Sequence[str] = (),
) -> SlackMessage:
    """2-5 creators side by side at one length: each metric row with the best marked, then verdicts;
    `left_out`: names of a shortlist's creators there was no room for, with the command comparing
    the ids `swap` (the first of them instead of the last compared)."""
    names = [_short(n) for n in comparison.nicknames]
    urls = [Creator(star_id=s, nickname="").xingtu_url for s in comparison.star_ids]
    prices = comparison.values(MetricKey.PRICE)
    rows = [
        {
            "label": _row_label(row, comparison.duration, lang),
            "cells": [_cell(row, i, lang, priced=prices[i] is not None) for i in range(len(names))],
        }
        for row in comparison.rows
    ]
    verdicts = [
        {"name": names[i], "url": urls[i], "lines": [tr(lang, line) for line in v.lines]}
        for i, v in enumerate(comparison.verdicts)
    ]
    cost = ntr(
        lang,
        "Upstream cost $%(cost_usd)s for %(n)s call; %(cache_hits)s answers from cache.",
        "Upstream cost $%(cost_usd)s for %(n)s calls; %(cache_hits)s answers from cache.",
        comparison.upstream_calls,
        cost_usd=format(comparison.cost_usd, ".3f"),
        cache_hits=comparison.cache_hits,
    )
    context = {
        "lang": lang,
        "live": live,
        "notice": notice,
        "duration": comparison.duration,
        "names": names,
        "rows": rows,
        "verdicts": verdicts,
        "targets": tr(lang, ", ").join(tr(lang, t.wording()) for t in targets.targets) if targets else "",
        "cost": cost if live else tr(lang, "Demo data: no TikHub calls, no cost."),
        "pricing": _pricing(lang) if live else "",
        "left_out": _left_out(comparison, left_out, swap, lang),
    }
    fallback = tr(lang, "Comparison: ") + tr(lang, ", ").join(names)
    return render("compare.json.j2", context, fallback_text=fallback)


# -- posting notes and chart titles (bot.slack_io.deepdive) ------------------------------------


def follower_chart_title(name: str, days: int, lang: Lang) -> str:
    return ntr(
        lang, "%(name)s: followers, last %(n)s day", "%(name)s: followers, last %(n)s days", days, name=name
    )


def audience_chart_title(name: str, lang: Lang, *, viewers: bool) -> str:
    """The audience (viewers) portrait's chart, or the follower portrait's when that is all there is."""
    if viewers:
        return tr(lang, "%(name)s: audience", name=name)
    return tr(lang, "%(name)s: followers", name=name)


def compare_chart_title(lang: Lang) -> str:
    return tr(lang, "CPM vs engagement rate (bubble = followers)")


def invite_note(lang: Lang) -> str:
    return tr(
        lang,
        "Only you can see this card: kolbot is not a member of this conversation, so it cannot post here or "
        "add charts. Invite it (`/invite @kolbot`) to get cards with charts in the channel.",
    )


def archived_note(lang: Lang) -> str:
    return tr(lang, "Only you can see this card: this channel is archived, so kolbot cannot post in it.")


def private_note(lang: Lang) -> str:
    return tr(
        lang,
        "Only you can see this card, as this workspace keeps results private "
        "(KOLBOT_RESULTS_IN_CHANNEL=false); charts are added only to cards posted in the channel.",
    )


def chart_failure_note(error: str | None, lang: Lang, *, not_member: bool) -> str:
    """Why the charts are missing: `error` is Slack's error code (None: they could not be drawn)."""
    if error == "missing_scope":
        return tr(
            lang,
            "Charts could not be uploaded: the Slack app lacks the `files:write` "
            "permission. Ask your admin to add it and reinstall the app.",
        )
    if not_member:
        return tr(
            lang,
            "Charts could not be uploaded: kolbot is not a member of this "
            "channel. Invite it (`/invite @kolbot`) and ask again.",
        )
    if error is None:
        return tr(lang, "Charts could not be drawn; the card above has every figure they show.")
    return tr(
        lang,
        "Charts could not be uploaded (Slack said `%(error)s`); the card above has every figure they show.",
        error=error,
    )
