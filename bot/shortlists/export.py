"""A shortlist as a spreadsheet: one row per creator, prices in yuan, CSV (UTF-8 with BOM, for
Excel) or formatted XLSX, whose second sheet gives the totals. Unknown values are empty cells,
never 0. CPM and CPE come twice: at the list price, and at the net quote the team pays."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from bot import vocabulary as vocab
from bot.formatting import duration_label
from bot.i18n import N_, ptr, tr
from bot.models import Duration, Lang
from bot.shortlists.models import STATUS_LABELS, ItemStatus, ShortlistItem, ShortlistSummary

YUAN = "¥#,##0"
YUAN_CENTS = "¥#,##0.00"
COUNT = "#,##0"
PERCENT = "0.00%"
TIME = "yyyy-mm-dd hh:mm"
TEXT = "@"  # Excel's Text format: what is typed into the cell later stays text too
# A count as Chinese readers write it, the cell still a number: 9,504,875 shows as 950.5万 (`,`
# divides by 1,000 and `\.` puts a point before the last digit), 1.6亿 from 1亿; exact below 1万.
ZH_COUNT = f'[>=100000000]0\\.00,,"{vocab.YI}";[>=10000]0\\.0,"{vocab.WAN}";#,##0'
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_SHEET_TITLE_MAX = 31
_SHEET_TITLE_RESERVED = "history"  # Excel keeps this name for its change tracking
_DIGITS = re.compile(r"[0-9]+")
_LINK_SCHEMES = ("https://", "http://")  # what a link cell opens; anything else stays text
MIN_WIDTH, MAX_WIDTH = 6, 40  # a column's width in characters: sized to its content, within these
NAME_WIDTH = 30  # a creator's name: a longer one wraps, so the pinned columns leave room to scroll
NOTE_WIDTH = 60  # free text: notes, how a figure was had, why a creator is left out
_FILTER_BUTTON = 2  # the header's filter arrow covers about two characters


Cell = Callable[[Any, Lang], Any]  # (row, lang) -> cell value
Header = Callable[[Lang], str]  # lang -> the column's title


@dataclass(frozen=True)
class Column:
    """One spreadsheet column: its title, each row's value, number format and widest width (in
    characters; wider text wraps). The XLSX sizes each column to its content within that.

    Titles are `ptr(lang, "spreadsheet column", …)`: a header reads differently from the same word
    on a card ("粉丝数", not "粉丝"). `text_id`: digits that are an id, not a number (a 19-digit
    Star ID), kept as text by spreadsheets (see `_csv_cell`). `link`: the values are web
    addresses, each a hyperlink showing this text in the XLSX (the CSV keeps the address).
    `pinned`: the XLSX keeps this column, and those before it, in view when scrolling right.
    `compact_zh`: a count shown in 万/亿 in a Chinese XLSX (`ZH_COUNT`), as the cards write it.
    """

    header: Header
    value: Cell
    number_format: str | None = None
    max_width: int = MAX_WIDTH
    text_id: bool = False
    link: Header | None = None
    pinned: bool = False
    compact_zh: bool = False


def _data_time(item: ShortlistItem, _lang: Lang) -> Any:
    return item.data_time.astimezone(UTC).replace(tzinfo=None)


def _rebate(item: ShortlistItem, _lang: Lang) -> float | None:
    return None if item.rebate_pct is None else item.rebate_pct / 100


def _per(cost: float | None, amount: float | None, per: float = 1) -> float | None:
    """`cost` per `per` of `amount` (plays, engagements); None when either is unknown."""
    return None if cost is None or not amount else cost * per / amount


def _net_cpm(item: ShortlistItem, _lang: Lang) -> float | None:
    return _per(item.net_quote_yuan, item.expected_plays, 1000)


def _net_cpe(item: ShortlistItem, _lang: Lang) -> float | None:
    return _per(item.net_quote_yuan, item.expected_engagements)


COLUMNS: list[Column] = [
    Column(
        lambda lang: ptr(lang, "spreadsheet column", "Star ID"), lambda i, _: i.star_id, TEXT, text_id=True
    ),
    Column(
        lambda lang: ptr(lang, "spreadsheet column", "Creator"),
        lambda i, _: i.creator.nickname,
        max_width=NAME_WIDTH,
        pinned=True,
    ),
    Column(
        lambda lang: ptr(lang, "spreadsheet column", "Status"),
        lambda i, lang: tr(lang, STATUS_LABELS[i.status]),
    ),
    Column(
        lambda lang: ptr(lang, "spreadsheet column", "Followers"),
        lambda i, _: i.creator.followers,
        COUNT,
        compact_zh=True,
    ),
    Column(lambda lang: ptr(lang, "spreadsheet column", "List price"), lambda i, _: i.list_price_yuan, YUAN),
    Column(
        lambda lang: ptr(lang, "spreadsheet column", "CPM at list price"), lambda i, _: i.cpm_yuan, YUAN_CENTS
    ),
    Column(
        lambda lang: ptr(lang, "spreadsheet column", "CPE at list price"), lambda i, _: i.cpe_yuan, YUAN_CENTS
    ),
    Column(
        lambda lang: ptr(lang, "spreadsheet column", "Expected plays"), lambda i, _: i.expected_plays, COUNT
    ),
    Column(lambda lang: ptr(lang, "spreadsheet column", "Quote"), lambda i, _: i.quoted_price_yuan, YUAN),
    Column(lambda lang: ptr(lang, "spreadsheet column", "Rebate %"), _rebate, PERCENT),
    Column(lambda lang: ptr(lang, "spreadsheet column", "Net quote"), lambda i, _: i.net_quote_yuan, YUAN),
    Column(lambda lang: ptr(lang, "spreadsheet column", "CPM at net quote"), _net_cpm, YUAN_CENTS),
    Column(lambda lang: ptr(lang, "spreadsheet column", "CPE at net quote"), _net_cpe, YUAN_CENTS),
    Column(lambda _: "👍", lambda i, _: i.votes_up, COUNT),
    Column(lambda _: "👎", lambda i, _: i.votes_down, COUNT),
    Column(lambda lang: ptr(lang, "spreadsheet column", "Note"), lambda i, _: i.note, max_width=NOTE_WIDTH),
    Column(
        lambda lang: ptr(lang, "spreadsheet column", "Price change"), lambda i, _: i.price_delta_yuan, YUAN
    ),
    Column(
        lambda lang: ptr(lang, "spreadsheet column", "Follower change"),
        lambda i, _: i.followers_delta,
        COUNT,
    ),
    Column(
        lambda lang: ptr(lang, "spreadsheet column", "Source"),
        lambda i, lang: tr(lang, "live") if i.live else tr(lang, "demo"),
    ),
    Column(lambda lang: ptr(lang, "spreadsheet column", "Data time (UTC)"), _data_time, TIME),
    Column(
        lambda lang: ptr(lang, "spreadsheet column", "Xingtu"),
        lambda i, _: i.creator.xingtu_url,
        link=lambda lang: tr(lang, "Xingtu"),
    ),
]


def video_length_column(duration: Duration) -> Column:
    """The video length every price, CPM and CPE of the sheet is for: a row copied elsewhere keeps it."""
    return Column(
        lambda lang: ptr(lang, "spreadsheet column", "Video length"),
        lambda _row, lang: duration_label(duration, lang),
    )


def shortlist_columns(duration: Duration) -> list[Column]:
    """`COLUMNS` with the shortlist's video length before the first price."""
    at = next(i for i, c in enumerate(COLUMNS) if c.number_format == YUAN)
    return [*COLUMNS[:at], video_length_column(duration), *COLUMNS[at:]]


def _header(columns: Sequence[Column], lang: Lang) -> list[str]:
    return [c.header(lang) for c in columns]


def _is_formula_like(value: Any) -> bool:
    """User text (names, notes) that a spreadsheet would run as a formula."""
    return isinstance(value, str) and value.startswith(_FORMULA_STARTS)


# Decimal places a number keeps in a CSV, by the column's spreadsheet format: what the sheet shows.
_CSV_DIGITS = {YUAN: 2, YUAN_CENTS: 2, COUNT: 0, PERCENT: 2}


def _csv_cell(column: Column, value: Any) -> Any:
    if value is None:
        return ""
    if column.text_id and isinstance(value, str) and _DIGITS.fullmatch(value):
        # Excel reads a bare 6641076880623093594 as a number: 6.64108E+18, 15 digits kept. As the
        # formula ="…" it is that text, exactly; Google Sheets, WPS and LibreOffice read it so too.
        # Built from digits only: no user text ever becomes a formula.
        return f'="{value}"'
    digits = _CSV_DIGITS.get(column.number_format or "")
    if digits is not None and isinstance(value, int | float) and not isinstance(value, bool):
        shown = round(value * 100 if column.number_format == PERCENT else value, digits)  # 15 means 15 %
        return int(shown) if float(shown).is_integer() else shown  # 48500, not 48500.0
    return f"'{value}" if _is_formula_like(value) else value


def to_csv(summary: ShortlistSummary, lang: Lang = "en") -> bytes:
    return write_csv(shortlist_columns(summary.shortlist.duration), summary.items, lang)


def to_xlsx(summary: ShortlistSummary, lang: Lang = "en") -> bytes:
    """The creators' sheet, and the totals on a second (`shortlist_summary`)."""
    title, columns = summary.shortlist.name or "shortlist", shortlist_columns(summary.shortlist.duration)
    return write_xlsx(columns, summary.items, lang, title=title, summary=shortlist_summary(summary, lang))


def shortlist_summary(summary: ShortlistSummary, lang: Lang) -> tuple[str, list[SummaryRow]]:
    """The totals the shortlist's card shows, with blended CPM/CPE at the planned spend (net quote
    where there is one, else list price), so the file says on its own what the list costs."""
    shortlist = summary.shortlist
    rows: list[SummaryRow] = [
        (ptr(lang, "spreadsheet row", "Shortlist"), shortlist.name, None),
        (ptr(lang, "spreadsheet row", "Budget"), shortlist.budget_yuan, YUAN),
        (ptr(lang, "spreadsheet row", "Video length"), duration_label(shortlist.duration, lang), None),
        (ptr(lang, "spreadsheet row", "Creators"), summary.creator_count, COUNT),
        (ptr(lang, "spreadsheet row", "Planned spend"), summary.planned_yuan, YUAN),
        (ptr(lang, "spreadsheet row", "Left"), summary.remaining_budget_yuan, YUAN),
        (ptr(lang, "spreadsheet row", "Expected plays"), summary.total_expected_plays, COUNT),
        (
            ptr(lang, "spreadsheet row", "Expected engagements"),
            round(summary.total_expected_engagements),
            COUNT,
        ),
        (
            ptr(lang, "spreadsheet row", "Blended CPM at planned spend"),
            _blended(summary, lambda i: i.expected_plays, 1000),
            YUAN_CENTS,
        ),
        (
            ptr(lang, "spreadsheet row", "Blended CPE at planned spend"),
            _blended(summary, lambda i: i.expected_engagements),
            YUAN_CENTS,
        ),
        (ptr(lang, "spreadsheet row", "Note"), tr(lang, _TOTALS_NOTE), None),
    ]
    return ptr(lang, "spreadsheet sheet", "Summary"), rows


# the card's footnote (templates/shortlist_parent.json.j2), said of the same totals
_TOTALS_NOTE = N_(
    "Totals leave out rejected creators; "
    "planned spend uses the net quote where there is one, else the list price."
)


def _blended(
    summary: ShortlistSummary, amount: Callable[[ShortlistItem], float | None], per: float = 1
) -> float | None:
    """Planned spend per `per` of `amount`, over the creators not rejected whose cost and amount
    are both known (as the card's blended CPM, but at the net quote where there is one)."""
    known = [
        (cost, n)
        for i in summary.items
        if i.status is not ItemStatus.REJECTED and (cost := i.planned_yuan) is not None and (n := amount(i))
    ]
    spent = _per(sum(cost for cost, _ in known), sum(n for _, n in known), per)
    return None if spent is None else round(spent, 2)


def write_csv(columns: Sequence[Column], rows: Iterable[Any], lang: Lang) -> bytes:
    """One row per item (UTF-8 with BOM); formula-like text is quoted, unknown values are empty."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_header(columns, lang))
    for row in rows:
        writer.writerow([_csv_cell(c, c.value(row, lang)) for c in columns])
    return out.getvalue().encode("utf-8-sig")


def sheet_title(title: str) -> str:
    """`title` as Excel takes a sheet's name: none of `[]:*?/\\`, at most 31 characters, not
    starting or ending with an apostrophe (Excel repairs such a file), not "History"."""
    cleaned = _SHEET_TITLE_FORBIDDEN.sub(" ", title).strip(" '")[:_SHEET_TITLE_MAX].strip(" '")
    if cleaned.lower() == _SHEET_TITLE_RESERVED:
        return f"{cleaned} 1"
    return cleaned or "sheet"


SummaryRow = tuple[str, Any, str | None]  # label, value, number format


def write_xlsx(
    columns: Sequence[Column],
    rows: Iterable[Any],
    lang: Lang,
    *,
    title: str,
    summary: tuple[str, Sequence[SummaryRow]] | None = None,
) -> bytes:
    """One formatted sheet named `title`: bold header, number formats, filter, columns sized to
    their content (long text wraps), the header and the pinned columns frozen; and with `summary`
    (its sheet's title and rows), a second sheet of label and value, so the file says on its own
    what it is (a plan's budget, goal and totals)."""
    # Imported here: only an XLSX export needs openpyxl (about 5 MB once loaded).
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

    book = Workbook()
    sheet = cast(Worksheet, book.active)  # a new workbook's one sheet
    sheet.title = sheet_title(title)
    sheet.append(_header(columns, lang))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for col, column in enumerate(columns, start=1):
            _fill(sheet.cell(row=r, column=col), column, column.value(row, lang), lang)
    for cells, column in zip(sheet.iter_cols(), columns, strict=True):
        _fit(sheet, cells, column.max_width, header=True)
    sheet.freeze_panes = _frozen(columns)
    sheet.auto_filter.ref = sheet.dimensions
    if summary is not None:
        _summary_sheet(book.create_sheet(sheet_title(summary[0])), summary[1])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fill(cell: Any, column: Column, value: Any, lang: Lang) -> None:
    """One data cell: `value` in the column's number format; a link as a short hyperlink."""
    if column.link is not None and isinstance(value, str) and value.startswith(_LINK_SCHEMES):
        _hyperlink(cell, value, column.link(lang))
        return
    cell.value = value
    if _is_formula_like(value):
        cell.data_type = "s"  # keep it text
    if column.number_format:
        cell.number_format = ZH_COUNT if column.compact_zh and lang == "zh" else column.number_format


def _hyperlink(cell: Any, url: str, text: str) -> None:
    """A link that opens `url` and shows `text`, in Excel's Hyperlink style, underlined."""
    from openpyxl.styles import Font

    cell.value, cell.hyperlink, cell.style = text, url, "Hyperlink"
    cell.font = Font(name=cell.font.name, size=cell.font.size, color=cell.font.color, underline="single")


def _frozen(columns: Sequence[Column]) -> str:
    """The cell below the header and right of the last pinned column (A2: no column pinned)."""
    from openpyxl.utils import get_column_letter

    pinned = [i for i, column in enumerate(columns, start=1) if column.pinned]
    return f"{get_column_letter(max(pinned, default=0) + 1)}2"


def _fit(sheet: Any, cells: Sequence[Any], max_width: int, *, header: bool) -> None:
    """Size the column of `cells` to its widest cell within MIN_WIDTH..`max_width`; text wider than
    that wraps (top-aligned, as a wrapped row grows). `header`: the first cell has a filter arrow."""
    from openpyxl.styles import Alignment

    wanted = [_shown_width(c) + (_FILTER_BUTTON if header and i == 0 else 0) for i, c in enumerate(cells)]
    width = min(max(MIN_WIDTH, *wanted) + 1, max_width)
    sheet.column_dimensions[cells[0].column_letter].width = width
    for cell, needs in zip(cells, wanted, strict=True):
        if needs >= width and isinstance(cell.value, str):
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _shown(cell: Any) -> str:
    """About what a spreadsheet shows for `cell` (its number format applied), to size its column."""
    value, number_format = cell.value, cell.number_format
    if value is None:
        return ""
    if isinstance(value, datetime):
        return TIME
    digits = _CSV_DIGITS.get(number_format)
    if digits is None or isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    shown = f"{value * 100 if number_format == PERCENT else value:,.{digits}f}"
    return ("¥" if number_format.startswith("¥") else "") + shown + ("%" if number_format == PERCENT else "")


def _shown_width(cell: Any) -> int:
    """Columns `cell` takes: a Chinese character (or an emoji) takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in _shown(cell))


def _summary_sheet(sheet: Any, rows: Sequence[SummaryRow]) -> None:
    from openpyxl.styles import Font

    for r, (label, value, number_format) in enumerate(rows, start=1):
        sheet.cell(row=r, column=1, value=label).font = Font(bold=True)
        cell = sheet.cell(row=r, column=2, value=value)
        if _is_formula_like(cell.value):
            cell.data_type = "s"
        if number_format:
            cell.number_format = number_format
    for cells in sheet.iter_cols():
        _fit(sheet, cells, NOTE_WIDTH, header=False)
