"""`kolbot`: search, plan, deep-dive and compare from the terminal, run the Slack app, migrate the database.

`handlers.server` (and with it slack_bolt) is imported only by `serve` and `socket`, so `search`,
`show`, `compare`, `help` and `migrate` run on the core alone. What only one command uses (the
digest clock, the cards, the planner) is imported by that command, the services it does not use
are never built (`build_services(one_shot=True)`), and alembic is imported only when the database
is not at the latest revision (`bot.db.migrate`): start-up time (`tests/test_cold_start.py`).
`show`, `compare` and `help` print the same card the bot posts, as text (or its Block Kit JSON
with `--blocks`).
"""

from __future__ import annotations

import argparse
import gc
import html
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from importlib.metadata import version as package_version
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot.audience import parse_audience_targets
from bot.cards.errors import error_text
from bot.db.engine import DatabaseUrlError, database_url
from bot.errors import KolbotError
from bot.formatting import DASH, ago, count, duration_label, index, pct, unit_yuan, usd, yuan
from bot.i18n import N_, Text, in_every_language, ntr, tr
from bot.models import AudienceTargets, CreatorArgs, Duration, Lang, ScoredCreator, SearchResult
from bot.observability.logs import configure_logging
from bot.scoring import reason
from bot.services import Services, build_services
from bot.settings import Settings, get_settings
from bot.settings_problems import settings_problem

if TYPE_CHECKING:
    from bot.cards.render import SlackMessage
    from bot.planner.models import Plan

USER_ERROR_EXIT = 2
UNREACHABLE_EXIT = 3  # the database (or Slack: `handlers.server`) cannot be reached
INTERRUPTED_EXIT = 130  # Ctrl-C, as shells report it
_SLACK_LINK = re.compile(r"<(?:https?://[^|>]*|![^|>]*)\|([^>]*)>")  # <url|label>, <!date^…|fallback>
CLI_WORKSPACE = "cli"  # team/channel/user of searches saved from the terminal


def run(argv: Sequence[str] | None = None) -> NoReturn:
    """The `kolbot` command: `main`, then exit. The heap is frozen first (`gc.freeze`): the collections
    the interpreter runs while it tears itself down would scan all a command loaded, about 90 ms of a
    one-shot search. What `main` opened is closed by then; the memory goes with the process."""
    try:
        code = main(argv)
        if sys.stdout is not None:  # None: started with standard output closed
            sys.stdout.flush()
    except BrokenPipeError:  # `kolbot help | head`: the reader has all it wants
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        code = 0
    gc.freeze()
    sys.exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # libpq names every PostgreSQL connection of this process (pools, the queue, the rate limit) in
    # pg_stat_activity: `kolbot serve`, `kolbot worker`, `kolbot clock` can be told apart.
    os.environ.setdefault("PGAPPNAME", f"kolbot {args.command}")
    try:
        settings = get_settings()
    except ValidationError as err:
        print(settings_problem(err), file=sys.stderr)
        return USER_ERROR_EXIT
    if getattr(args, "demo", False):  # over a key from the environment or `.env` alike
        settings = settings.model_copy(update={"tikhub_api_key": None})
    configure_logging(settings)
    try:
        return args.run(args, settings)
    except DatabaseUrlError as err:  # a setting to fix, as `handlers.server.stop_start_up` says it
        print(in_every_language(Text("kolbot cannot start: %(problem)s.", problem=err.what)), file=sys.stderr)
        return USER_ERROR_EXIT
    except DBAPIError as err:  # unreachable, refused, or not a database at all
        print(_database_problem(settings, err), file=sys.stderr)
        return UNREACHABLE_EXIT
    except KeyboardInterrupt:
        print(in_every_language(Text("kolbot stopped (Ctrl-C).")), file=sys.stderr)
        return INTERRUPTED_EXIT


def _database_problem(settings: Settings, err: DBAPIError) -> str:
    """One line naming the database (without its password) and what to check."""
    reason = (str(err.orig).strip().splitlines() or [type(err.orig).__name__])[0]
    url = _safe_url(settings)
    return in_every_language(
        Text(
            "kolbot cannot use the database %(url)s (%(reason)s); check DATABASE_URL (or KOLBOT_DATA_DIR) "
            "and that the database is running and reachable.",
            url=url,
            reason=reason,
        )
    )


class _Terminal(Console):
    """rich's console, except that a reader who stops early (`| head`) ends the command like `print`
    would (`run` exits 0), instead of rich's exit status 1."""

    def on_broken_pipe(self) -> None:
        raise BrokenPipeError


class _Words(argparse.Action):
    """The words after a command as one line, as Slack gets them: `kolbot search 护肤 sort=cpm`, or
    quoted as one argument (which keeps the shell off `>=`)."""

    def __call__(
        self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any, option: Any = None
    ) -> None:
        setattr(namespace, self.dest, " ".join(values))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kolbot", description="Find and score Douyin Xingtu creators.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version('kolbot')}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND", dest="command")
    search = commands.add_parser("search", help="search and print a table (or the Block Kit JSON)")
    search.add_argument("query", nargs="+", action=_Words, help='e.g. "skincare followers>=10w sort=cpm"')
    search.add_argument("--blocks", action="store_true", help="print the Slack message as Block Kit JSON")
    search.add_argument(
        "--lang", choices=("zh", "en"), help="language of the output (default: from the query)"
    )
    search.set_defaults(run=_search)
    plan = commands.add_parser("plan", help="plan a budget over a search's creators and print the plan")
    plan.add_argument(
        "plan", nargs="+", action=_Words, help='e.g. "200k skincare mix=mid:2-4,tail:3+ max_share=40%%"'
    )
    plan.add_argument("--blocks", action="store_true", help="print the plan card as Block Kit JSON")
    plan.add_argument("--chart", metavar="PNG", help="also write the cost vs plays chart here")
    plan.add_argument("--export", metavar="FILE", help="also write the plan as .xlsx or .csv")
    plan.add_argument("--lang", choices=("zh", "en"), help="language of the output (default: from the text)")
    plan.set_defaults(run=_plan)
    show = commands.add_parser("show", help="deep-dive one creator: star id, uid or Douyin handle")
    show.add_argument(
        "creator", nargs="+", action=_Words, help="e.g. 6912345678901234567 or @douyin_handle [duration=1-20]"
    )
    compare = commands.add_parser("compare", help="compare 2-5 creators side by side")
    compare.add_argument(
        "creator", nargs="+", action=_Words, help="2-5 star ids, uids or Douyin handles [duration=1-20]"
    )
    for sub in (show, compare):
        sub.add_argument(
            "--duration",
            choices=[d.value for d in Duration],
            help="video length (default: duration= typed, else 21-60)",
        )
        sub.add_argument(
            "--audience",
            default="",
            help='audience targets, e.g. "audience_gender=female>=70%% audience_age=18-30"',
        )
    helper = commands.add_parser("help", help="the search grammar, with examples")
    for sub, run in ((show, _show), (compare, _compare), (helper, _help)):
        sub.add_argument("--blocks", action="store_true", help="print the Slack message as Block Kit JSON")
        sub.add_argument("--lang", choices=("zh", "en"), help="language of the output")
        sub.set_defaults(run=run)
    for sub in (search, plan, show, compare):
        sub.add_argument(
            "--demo",
            action="store_true",
            help="use the bundled demo data even with a TikHub key set (no cost)",
        )
    commands.add_parser("serve", help="run the Slack app in HTTP mode").set_defaults(run=_serve)
    commands.add_parser("socket", help="run the Slack app in Socket Mode").set_defaults(run=_socket)
    commands.add_parser(
        "worker", help="run queued slow work (searches, deep-dives, digests…); needs PostgreSQL"
    ).set_defaults(run=_worker)
    commands.add_parser("migrate", help="apply database migrations").set_defaults(run=_migrate)
    clock = commands.add_parser(
        "clock", help="post scheduled digests when due (with PostgreSQL: queue them for the workers)"
    )
    clock.add_argument("--once", action="store_true", help="post (or queue) the digests due now, then exit")
    clock.set_defaults(run=_clock)
    return parser


def _search(args: argparse.Namespace, settings: Settings) -> int:
    services = build_services(settings, one_shot=True)
    lang: Lang = args.lang or services.lang_for(args.query)
    try:
        query = services.parse_query(args.query)
        lang = args.lang or query.lang or lang
        result = services.search.search(query)
        if args.blocks:
            from bot.cards.views import results_message  # the table renders no card

            ref = services.searches.save(CLI_WORKSPACE, CLI_WORKSPACE, CLI_WORKSPACE, args.query, lang)
            message = results_message(result, lang, search_ref=ref)
            print(json.dumps(message.to_dict(), ensure_ascii=False, indent=2))
        else:
            _print_table(result, lang)
    except KolbotError as err:
        print(error_text(err, lang), file=sys.stderr)
        return USER_ERROR_EXIT
    finally:
        services.close()
    return 0


def _show(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cards.deepdive_views import deepdive_message

    def card(services: Services, lang: Lang) -> SlackMessage:
        creator_args, duration, targets = _creator_args(args)
        dive, creator = services.deepdive.load(services.deepdive.one_creator(creator_args.identifiers))
        return deepdive_message(dive, lang, creator=creator, duration=duration, targets=targets)

    return _print_card(args, settings, card, args.creator)


def _compare(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cards.deepdive_views import compare_message

    def card(services: Services, lang: Lang) -> SlackMessage:
        creator_args, duration, targets = _creator_args(args)
        comparison = services.deepdive.compare(creator_args.identifiers, duration, targets=targets)
        return compare_message(comparison, lang, live=services.deepdive.live, targets=targets)

    return _print_card(args, settings, card, args.creator)


def _creator_args(args: argparse.Namespace) -> tuple[CreatorArgs, Duration, AudienceTargets | None]:
    """The ids typed as in Slack (`a,b`, full-width digits, `duration=`, `audience_…=`; raises
    `QueryError` naming a bad part), with the video length and audience targets: `--duration` and
    `--audience` when given, else the typed ones."""
    from bot.grammar import parse_creator_args

    typed = parse_creator_args(args.creator)
    duration = Duration(args.duration) if args.duration else typed.duration
    targets = parse_audience_targets(args.audience.split()) if args.audience else typed.audience
    return typed, duration, targets if targets else None


def _print_card(
    args: argparse.Namespace,
    settings: Settings,
    card: Callable[[Services, Lang], SlackMessage],
    typed: str,
) -> int:
    """Build the services, print the card (a `KolbotError` goes to stderr, exit 2), close them;
    in `--lang`, else the language of what was `typed`."""
    services = build_services(settings, one_shot=True)
    lang: Lang = args.lang or services.lang_for(typed)
    try:
        _print_message(card(services, lang), args.blocks)
    except KolbotError as err:
        print(error_text(err, lang), file=sys.stderr)
        return USER_ERROR_EXIT
    finally:
        services.close()
    return 0


def _help(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cards.views import help_message

    lang: Lang = args.lang or settings.default_lang
    _print_message(help_message(lang), args.blocks)
    return 0


def _print_message(message: SlackMessage, blocks: bool) -> None:
    """The Block Kit JSON, or the card read as plain text."""
    if blocks:
        print(json.dumps(message.to_dict(), ensure_ascii=False, indent=2))
        return
    print("\n".join(message_lines(message.to_dict())))


def message_lines(message: dict) -> list[str]:
    """A Slack message's text, block by block, as the terminal shows it (`terminal_text`); buttons
    are left out."""
    lines: list[str] = []
    for block in message.get("blocks") or [{"type": "section", "text": {"text": message.get("text", "")}}]:
        texts = [block.get("text") or {}] if block["type"] != "context" else block.get("elements") or []
        if block["type"] == "divider":
            lines.append("─" * 40)
        lines += [terminal_text(t["text"]) for t in texts if isinstance(t, dict) and t.get("text")]
        lines += [_field_text(f["text"]) for f in block.get("fields") or []]
    return lines


def _after_totals(message: dict) -> list[str]:
    """The plan card from its totals on (spent, left, blended CPM…, then who was left out and why),
    as the terminal shows it; the buttons and footer are left out."""
    blocks = message.get("blocks") or []
    start = next((i for i, b in enumerate(blocks) if b["type"] == "section" and b.get("fields")), len(blocks))
    kept = [b for b in blocks[start:] if b["type"] == "section"]
    return message_lines({"blocks": kept}) if kept else []


def _field_text(mrkdwn: str) -> str:
    """A field ("*Label*\nvalue\nmore…") as "  Label: value", its further lines indented under it."""
    label, _, value = terminal_text(mrkdwn).partition("\n")
    first, *rest = value.split("\n")
    return "\n".join([f"  {label}: {first}" if value else f"  {label}", *(f"    {line}" for line in rest)])


def _print_table(result: SearchResult, lang: Lang) -> None:
    """The results table at the terminal's width (`COLUMNS`, else 80 when not a terminal), then the
    summary, the columns left out for the width, and the card's notes."""
    from bot.cards.result_notes import result_notes

    console = _Terminal()
    if not result.creators:  # the card says why nothing matched and what to try: print it instead
        from bot.cards.views import results_message

        card = results_message(result, lang, search_ref=CLI_WORKSPACE).to_dict()
        console.print("\n".join(message_lines(card)), markup=False)
        return
    table, left_out = results_table(result, lang, console.width)
    console.print(table)
    console.print(summary_line(result, lang, datetime.now(UTC)), markup=False)
    if left_out:
        columns = tr(lang, ", ").join(left_out)
        note = tr(lang, "Left out at this width: %(columns)s. A wider terminal shows them.", columns=columns)
        console.print(note, markup=False)
    for line in result_notes(result, lang):  # what the card warns about, the terminal says too
        console.print(terminal_text(line), markup=False)


# Every emoji the cards use, as a terminal shows them (`tests/test_cli.py` checks the templates).
_EMOJI = {
    ":warning:": "⚠",
    ":information_source:": "ℹ",
    ":grey_question:": "?",
    ":test_tube:": "🧪",
    ":white_check_mark:": "✅",
    ":small_red_triangle_down:": "🔻",
    ":lock:": "🔒",
    ":trophy:": "🏆",
    ":+1:": "👍",
    ":-1:": "👎",
    ":x:": "❌",
    ":red_circle:": "🔴",
    ":large_green_circle:": "🟢",
    ":double_vertical_bar:": "⏸",
    ":hourglass:": "⌛",
    ":hourglass_flowing_sand:": "⏳",
    ":handshake:": "🤝",
    ":heavy_plus_sign:": "➕",
    ":memo:": "📝",
    ":page_facing_up:": "📄",
    ":pencil2:": "✏",
    ":speech_balloon:": "💬",
    ":wastebasket:": "🗑",
}
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")  # mrkdwn *bold*


def terminal_text(mrkdwn: str) -> str:
    """A card line for the terminal: emoji codes as symbols, *bold* as plain text, links as their
    label, Slack's escapes (`&lt;`) undone once."""
    for code, symbol in _EMOJI.items():
        mrkdwn = mrkdwn.replace(code, symbol)
    return html.unescape(_SLACK_LINK.sub(r"\1", _BOLD.sub(r"\1", mrkdwn)))


def results_table(result: SearchResult, lang: Lang, width: int) -> tuple[Table, list[str]]:
    """The top `query.top` creators, one row each, fitted to `width` terminal cells, and the headers of
    the columns left out for it.

    Only the top reason wraps (a nickname is cut at `_NAME_CELLS`), so no number is ever cut. A table
    wider than `width` puts the number columns' headers on two lines, then leaves out the columns of
    `_DROP_ORDER` one by one until it fits.
    """
    headers = _headers(result, lang)
    rows = [_row(item, result, lang) for item in result.creators[: result.query.top]]
    for shown, split in _layouts(len(headers)):
        table = _table(shown, headers, rows, split)
        if _narrowest(table) <= width:
            break
    return table, [headers[i] for i in range(len(headers)) if i not in shown]


def _narrowest(table: Table) -> int:
    """The fewest cells `table` fits in without cutting a cell: a column that does not wrap needs its
    widest line (at most its `max_width`), one that wraps its longest word; plus padding and borders.
    (rich's own measurement cannot tell: it lets every column wrap, and clamps to the width given.)"""
    console = Console(width=_UNLIMITED)
    _, right, _, left = table.padding
    total = len(table.columns) + 1  # the vertical borders
    for column in table.columns:
        sizes = [Measurement.get(console, console.options, cell) for cell in (column.header, *column.cells)]
        need = max(size.minimum if not column.no_wrap else size.maximum for size in sizes)
        total += min(need, column.max_width or need) + left + right
    return total


_UNLIMITED = 10_000
# Positions in `_headers` a narrow terminal leaves out, first to last: completion, top reason, ER,
# Xingtu index, CPE, followers, CPM, price. #, creator and score always stay.
_DROP_ORDER = (7, 10, 6, 8, 5, 2, 4, 3)
_NAME, _REASON = 1, 10
_NAME_CELLS = 24  # 12 Chinese characters; the star id under the name is 19


def _layouts(count: int) -> Iterator[tuple[list[int], bool]]:
    """The columns to show and whether headers go on two lines, widest layout first."""
    yield list(range(count)), False
    for dropped in range(len(_DROP_ORDER) + 1):
        yield [i for i in range(count) if i not in _DROP_ORDER[:dropped]], True


def _headers(result: SearchResult, lang: Lang) -> list[str]:
    duration = result.query.duration
    return [
        "#",
        tr(lang, "Creator"),
        tr(lang, "Followers"),
        tr(lang, "Price %(duration_label)s", duration_label=duration_label(duration, lang)),
        tr(lang, "CPM ¥/1k plays"),
        tr(lang, "CPE ¥/eng."),
        tr(lang, "ER"),
        tr(lang, "Completion"),
        tr(lang, "Xingtu index"),
        tr(lang, "Score"),
        tr(lang, "Top reason"),
    ]


def _table(columns: list[int], headers: list[str], rows: list[list[str]], split: bool) -> Table:
    """The table of `columns` (positions in `_headers`); `split` puts a header's first word on a line
    of its own ("CPM" over "¥/1k plays")."""
    table = Table()
    for i in columns:
        name = i == _NAME
        header = headers[i].replace(" ", "\n", 1) if split and not name else headers[i]
        table.add_column(header, no_wrap=i != _REASON, max_width=_NAME_CELLS if name else None)
    for row in rows:
        table.add_row(*(row[i] for i in columns))
    return table


def _row(item: ScoredCreator, result: SearchResult, lang: Lang) -> list[str]:
    c, duration = item.creator, result.query.duration
    return [
        str(item.rank),
        f"{escape(c.nickname)}\n[dim]{escape(c.star_id)}[/dim]",  # the id `kolbot show` takes
        count(c.followers, lang),
        yuan(c.price(duration), lang),
        unit_yuan(c.cpm(duration), lang),
        unit_yuan(c.cpe(duration), lang),
        pct(c.interact_rate),
        pct(c.completion_rate),
        index(c.link_star_index),
        DASH if item.score is None else f"{item.score:.0f}",
        _top_reason(item, lang),
    ]


def _top_reason(item: ScoredCreator, lang: Lang) -> str:
    by_key = {component.key: component for component in item.components}
    strongest = next((by_key[k] for k in item.strengths if k in by_key), None)
    return tr(lang, reason(strongest)) if strongest else DASH


def summary_line(result: SearchResult, lang: Lang, now: datetime) -> str:
    """Matched/seen, pages, upstream calls and cost, data age, and a DEMO badge for demo data."""
    s = result.stats
    pages = f"{s.pages_fetched}/{len(s.pages_requested)}"
    badge = "" if s.live else tr(lang, "[DEMO DATA] ")
    return badge + ntr(
        lang,
        "%(matched)s matched of %(creators_seen)s seen · pages %(pages)s · "
        "%(n)s call (%(usd)s) · data %(ago)s",
        "%(matched)s matched of %(creators_seen)s seen · pages %(pages)s · "
        "%(n)s calls (%(usd)s) · data %(ago)s",
        s.upstream_calls,
        matched=s.matched,
        creators_seen=s.creators_seen,
        pages=pages,
        usd=usd(s.cost_usd),
        ago=ago(s.data_time, now, lang),
    )


def _plan(args: argparse.Namespace, settings: Settings) -> int:
    """`kolbot plan "<budget> <search> [options]"`: a search plan, as a table or the card's JSON."""
    from bot.cards.plan_views import plan_message, plan_summary
    from bot.planner.chart import plan_png
    from bot.planner.export import plan_csv, plan_xlsx
    from bot.planner.request import parse_plan

    services = build_services(settings, one_shot=True)
    lang: Lang = args.lang or services.lang_for(args.plan)
    try:
        command = parse_plan(args.plan, services.parse_query)
        lang = args.lang or command.query.lang or lang
        chart, export = _plan_file(args.chart, "--chart"), _plan_file(args.export, "--export")
        if not command.is_search:
            raise KolbotError(
                Text("From the terminal, plan over a search: add a keyword after the budget."),
            )
        saved = services.plans.plan_search(CLI_WORKSPACE, CLI_WORKSPACE, CLI_WORKSPACE, command, lang)
        message = plan_message(saved, lang, source=command.search_text)
        if args.blocks:
            print(json.dumps(message.to_dict(), ensure_ascii=False, indent=2))
        else:
            console = _Terminal()
            console.print(message.text, markup=False)
            warnings = [
                line for line in message_lines(message.to_dict()) if line.startswith(_EMOJI[":warning:"])
            ]
            for line in warnings:  # infeasible as asked, budget too small: as the card says
                console.print(line, markup=False)
            console.print(plan_table(saved.plan, lang))
            for line in _after_totals(message.to_dict()):  # the totals and who was left out, and why
                console.print(line, markup=False)
        if chart:
            _write(chart, plan_png(saved.plan, lang))
        if export:
            if export.suffix.lower() == ".csv":
                _write(export, plan_csv(saved.plan, lang))
            else:
                title = tr(lang, "Plan #%(number)s", number=saved.number)
                summary = plan_summary(saved, lang, source=command.search_text)
                _write(export, plan_xlsx(saved.plan, lang, title=title, summary=summary))
    except KolbotError as err:
        print(error_text(err, lang), file=sys.stderr)
        return USER_ERROR_EXIT
    finally:
        services.close()
    return 0


# The files `kolbot plan` writes, by option: what each file name may end in.
_PLAN_FILES = {"--chart": (".png",), "--export": (".xlsx", ".csv")}


def _plan_file(name: str | None, option: str) -> Path | None:
    """The file `option` asks for, checked before any paid call: a kind it writes, in a folder that exists."""
    if name is None:
        return None
    path, kinds = Path(name), _PLAN_FILES[option]
    if path.suffix.lower() not in kinds:
        raise KolbotError(
            Text(
                "Can't write `%(path)s`: %(option)s writes a %(kinds)s file.",
                path=name,
                option=option,
                kinds="/".join(kinds),
            )
        )
    if not path.parent.is_dir():
        raise _unwritable(path)
    return path


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as err:
        raise _unwritable(path) from err


def _unwritable(path: Path) -> KolbotError:
    return KolbotError(
        Text(
            "Can't write `%(path)s`: check that its folder exists and that you may write there.",
            path=str(path),
        )
    )


def plan_table(plan: Plan, lang: Lang) -> Table:
    """The chosen creators, one row each, with their runner-up."""
    from bot.planner.models import TIER_LABELS

    table = Table()
    for header in (
        N_("Tier"),
        N_("Creator"),
        N_("Cost"),
        N_("Basis"),
        N_("Expected plays"),
        "CPM",
        N_("Runner-up"),
    ):
        table.add_column(tr(lang, header))
    for tier, picks in plan.by_tier():
        for p in picks:
            c = p.candidate
            table.add_row(
                tr(lang, TIER_LABELS[tier]),
                escape(c.nickname),
                yuan(c.cost_yuan, lang),
                tr(lang, c.basis.value) if c.basis else DASH,  # "list" / "quote", as the plan card says
                count(c.expected_plays, lang) + ("*" if c.plays_estimated else ""),
                unit_yuan(c.cpm_yuan, lang),
                escape(p.runner_up.nickname) if p.runner_up else DASH,
            )
    return table


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from handlers.server import serve

    serve(settings)
    return 0


def _socket(args: argparse.Namespace, settings: Settings) -> int:
    from handlers.server import socket

    socket(settings)
    return 0


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    from handlers.worker import work

    return work(settings)


def _clock(args: argparse.Namespace, settings: Settings) -> int:
    from bot.clock_process import serve_clock
    from handlers.server import check_bot_token, stop_start_up

    if missing := ", ".join(settings.missing_for_clock()):
        stop_start_up(Text("set %(missing)s, or the OAuth settings (environment or .env)", missing=missing))
    check_bot_token(settings)  # as serve and worker do: a rejected token stops here, not at 09:00
    return serve_clock(settings, once=args.once)


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    import logging

    from bot.db.migrate import migrate
    from bot.observability.logs import MIGRATION_LOGGER

    logging.getLogger(MIGRATION_LOGGER).setLevel(logging.INFO)  # what was applied is this command's point
    done = migrate(database_url(settings))
    url = _safe_url(settings)
    if not done.applied:
        said = Text(
            "database %(url)s: nothing to migrate, already at %(revision)s",
            url=url,
            revision=_rev(done.after),
        )
    elif not done.before:
        said = Text("database %(url)s: created at %(revision)s", url=url, revision=_rev(done.after))
    else:
        said = Text(
            "database %(url)s: migrated from %(before)s to %(after)s",
            url=url,
            before=_rev(done.before),
            after=_rev(done.after),
        )
    print(in_every_language(said))
    return 0


def _rev(revisions: frozenset[str]) -> str:
    """Alembic revisions as one word ("0012"; "0011+0012" for two heads)."""
    return "+".join(sorted(revisions))


def _safe_url(settings: Settings) -> str:
    """The database URL without its password."""
    return make_url(settings.effective_database_url).render_as_string(hide_password=True)


if __name__ == "__main__":
    run()
