from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from bot.i18n import ptr
from bot.shortlists.export import to_csv, to_xlsx
from bot.shortlists.service import ShortlistService
from bot.store.snapshots import CreatorSnapshots

T0 = datetime(2030, 6, 1, 8, 30, tzinfo=UTC)


@pytest.fixture
def summary(sessions, make_creator):
    snapshots = CreatorSnapshots(sessions)
    snapshots.save_many(
        [
            make_creator(
                "a", nickname="甲达人", followers=120_000, price_21_60=10_000, expected_plays=100_000
            ),
            make_creator("b", nickname="=HYPERLINK(1)", followers=None, price_21_60=None),
        ],
        live=False,
        fetched_at=T0,
    )
    service = ShortlistService(sessions, snapshots)
    sl = service.create("T1", "C1", "U1", "Q3: 美妆/护肤")
    service.add("T1", sl.short_id, "U1", ["a", "b"])
    service.set_quote("T1", sl.short_id, "U1", "a", 9_000, 12.5)
    service.set_status("T1", sl.short_id, "U1", "a", "booked")
    service.set_note("T1", sl.short_id, "U1", "a", "+ 加急")
    service.vote("T1", sl.short_id, "U2", "a", 1)
    return service.summary("T1", sl.short_id)


def test_csv_has_one_row_per_creator_in_yuan(summary) -> None:
    data = to_csv(summary, "zh")
    assert data.startswith("\ufeff".encode())  # Excel reads UTF-8 Chinese only with a BOM
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 2
    a, b = rows
    assert (a["星图ID"], a["达人"], a["状态"], a["粉丝数"]) == ("a", "甲达人", "已下单", "120000")
    assert (a["刊例价"], a[ptr("zh", "spreadsheet column", "CPM at list price")]) == ("10000", "100")
    assert (a["报价"], a["返点%"], a["返点后报价"]) == (
        "9000",  # as the sheet shows it: no 9000.0, no 15 decimal places
        "12.5",
        "7875",
    )
    assert (a["👍"], a["👎"], a["备注"], a["数据来源"]) == ("1", "0", "'+ 加急", "演示")
    assert a["视频时长"] == b["视频时长"] == "21-60秒"  # what every price and CPM is for
    assert a["数据时间（UTC）"] == "2030-06-01 08:30:00"
    assert (b["达人"], b["刊例价"], b["粉丝数"], b["报价"]) == ("'=HYPERLINK(1)", "", "", "")


def test_xlsx_is_formatted(summary) -> None:
    sheet = load_workbook(io.BytesIO(to_xlsx(summary, "en"))).active
    header = [c.value for c in sheet[1]]
    assert header[:6] == ["Star ID", "Creator", "Status", "Followers", "Video length", "List price"]
    assert sheet.freeze_panes == "C2"  # the header row and the names stay in view
    assert sheet.title == "Q3  美妆 护肤"
    col = {name: i + 1 for i, name in enumerate(header)}
    row = {name: sheet.cell(row=2, column=i) for name, i in col.items()}
    assert (row["List price"].value, row["List price"].number_format) == (10_000, "¥#,##0")
    assert (row["Rebate %"].value, row["Rebate %"].number_format) == (0.125, "0.00%")
    assert (row["Net quote"].value, row["CPM at list price"].number_format) == (7_875, "¥#,##0.00")
    assert (row["Status"].value, row["Source"].value, row["Note"].value) == ("Booked", "demo", "+ 加急")
    assert row["Data time (UTC)"].value == datetime(2030, 6, 1, 8, 30)
    formula_like = sheet.cell(row=3, column=col["Creator"])
    assert (formula_like.value, formula_like.data_type) == ("=HYPERLINK(1)", "s")
    assert sheet.cell(row=3, column=col["List price"]).value is None
    assert sheet.column_dimensions["B"].width > len("=HYPERLINK(1)")  # sized to the longest name


LONG_ID = "6641076880623093594"  # a real Xingtu Star ID has 19 digits: more than a double keeps


def _shortlist(sessions, creators, name="Spring"):
    """A shortlist of `creators` (each added), as the export gets it."""
    snapshots = CreatorSnapshots(sessions)
    snapshots.save_many(creators, live=False, fetched_at=T0)
    service = ShortlistService(sessions, snapshots)
    sl = service.create("T1", "C1", "U1", name)
    service.add("T1", sl.short_id, "U1", [c.star_id for c in creators])
    return service, sl.short_id


def test_a_long_star_id_is_text_in_the_csv_and_the_xlsx(sessions, make_creator) -> None:
    """Excel reads 6641076880623093594 as 6.64108E+18 (15 digits kept): the join key is lost.
    The CSV writes it as ="…", which Excel, WPS and Google Sheets show as that text."""
    service, short_id = _shortlist(sessions, [make_creator(LONG_ID, nickname="是橙子酱")])
    data = to_csv(service.summary("T1", short_id), "en").decode("utf-8-sig")
    assert f'"=""{LONG_ID}""",是橙子酱' in data.splitlines()[1]
    [row] = csv.DictReader(io.StringIO(data))
    assert row["Star ID"] == f'="{LONG_ID}"'
    sheet = load_workbook(io.BytesIO(to_xlsx(service.summary("T1", short_id), "en"))).active
    star = sheet["A2"]
    assert (star.value, star.data_type, star.number_format) == (LONG_ID, "s", "@")


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("'Spring' KOL list", "Spring' KOL list"),  # Excel refuses a leading or trailing apostrophe
        ("Q3 list 'A'", "Q3 list 'A"),
        (
            "一个很长很长的名字 abcdefghijklmnopqrst'uvw",
            "一个很长很长的名字 abcdefghijklmnopqrst",
        ),  # cut at the '
        ("history", "history 1"),  # Excel's own
    ],
)
def test_the_sheet_is_titled_as_excel_takes_it(sessions, make_creator, name: str, title: str) -> None:
    service, short_id = _shortlist(sessions, [make_creator("a")], name=name)
    sheet = load_workbook(io.BytesIO(to_xlsx(service.summary("T1", short_id), "en"))).worksheets[0]
    assert sheet.title == title and len(title) <= 31


def test_xingtu_links_are_hyperlinks_with_a_short_text(summary) -> None:
    """A 70-character address in a cell is read by no one: the cell says 星图 and opens the page."""
    for lang, text in (("en", "Xingtu"), ("zh", "星图")):
        sheet = load_workbook(io.BytesIO(to_xlsx(summary, lang))).active
        link = sheet.cell(
            row=2, column=[c.value for c in sheet[1]].index(ptr(lang, "spreadsheet column", "Xingtu")) + 1
        )
        assert (link.value, link.style, link.font.u) == (text, "Hyperlink", "single")
        assert link.hyperlink.target == "https://www.xingtu.cn/ad/creator/author/douyin/a/1"
    [row, _] = csv.DictReader(io.StringIO(to_csv(summary, "en").decode("utf-8-sig")))
    assert row["Xingtu"] == "https://www.xingtu.cn/ad/creator/author/douyin/a/1"  # a CSV has no links


def test_xlsx_columns_fit_their_content_and_long_text_wraps(sessions, make_creator) -> None:
    long_name = "一个名字很长很长很长很长很长很长的达人账号名字"  # 46 columns wide
    service, short_id = _shortlist(sessions, [make_creator("a", nickname=long_name), make_creator("b")])
    note = "agency says the price holds until the end of the month"
    service.set_note("T1", short_id, "U1", "b", note)
    sheet = load_workbook(io.BytesIO(to_xlsx(service.summary("T1", short_id), "en"))).active
    col = {c.value: c.column_letter for c in sheet[1]}
    width = {name: sheet.column_dimensions[letter].width for name, letter in col.items()}
    assert width["Creator"] == 30 and sheet[f"{col['Creator']}2"].alignment.wrap_text
    assert not sheet[f"{col['Creator']}3"].alignment.wrap_text  # a short name fits
    assert width["Note"] > len(note) and not sheet[f"{col['Note']}3"].alignment.wrap_text
    assert width["Data time (UTC)"] >= len("yyyy-mm-dd hh:mm") + 2  # the header with its filter arrow
    assert width["Star ID"] >= len("Star ID") + 2 and width["👍"] >= 6


def test_cpm_and_cpe_are_given_at_the_net_quote_too(sessions, make_creator) -> None:
    """The list-price CPM (¥57.25) is not what the team pays: at the net quote it is ¥42.94."""
    creator = make_creator(LONG_ID, price_21_60=68_000, expected_plays=1_187_680, interact_rate=0.04)
    service, short_id = _shortlist(sessions, [creator, make_creator("b")])
    service.set_quote("T1", short_id, "U1", LONG_ID, 60_000, 15)  # net 51,000
    summary = service.summary("T1", short_id)
    sheet = load_workbook(io.BytesIO(to_xlsx(summary, "en"))).active
    col = {c.value: c.column for c in sheet[1]}
    row = {name: sheet.cell(row=2, column=i).value for name, i in col.items()}
    assert row["Net quote"] == 51_000 and round(row["CPM at list price"], 2) == 57.25
    assert round(row["CPM at net quote"], 2) == 42.94  # 51,000 ÷ 1,187,680 plays × 1,000
    assert round(row["CPE at net quote"], 4) == round(51_000 / (1_187_680 * 0.04), 4)
    assert sheet.cell(row=2, column=col["CPM at net quote"]).number_format == "¥#,##0.00"
    assert sheet.cell(row=3, column=col["CPM at net quote"]).value is None  # no quote: unknown
    [b] = [r for r in csv.DictReader(io.StringIO(to_csv(summary, "en").decode("utf-8-sig")))][1:]
    assert (b["CPM at list price"], b["CPM at net quote"]) == ("200", "")


def test_the_xlsx_has_the_shortlists_totals_on_a_second_sheet(sessions, make_creator) -> None:
    """Budget, planned spend, left and blended CPM at what the team pays: the file reads on its own."""
    creators = [
        make_creator("a", price_21_60=68_000, expected_plays=1_187_680),
        make_creator("b", price_21_60=10_000, expected_plays=100_000),
        make_creator("c", price_21_60=None, expected_plays=None),
        make_creator("r", price_21_60=90_000, expected_plays=1_000),  # rejected: left out of totals
    ]
    snapshots = CreatorSnapshots(sessions)
    snapshots.save_many(creators, live=False, fetched_at=T0)
    service = ShortlistService(sessions, snapshots)
    sl = service.create("T1", "C1", "U1", "Spring", "20万")
    service.add("T1", sl.short_id, "U1", ["a", "b", "c", "r"])
    service.set_quote("T1", sl.short_id, "U1", "a", 60_000, 15)
    service.set_status("T1", sl.short_id, "U1", "r", "rejected")
    book = load_workbook(io.BytesIO(to_xlsx(service.summary("T1", sl.short_id), "en")))
    assert book.sheetnames == ["Spring", "Summary"]
    totals = {label: value for label, value in book["Summary"].iter_rows(values_only=True)}
    assert (totals["Shortlist"], totals["Budget"], totals["Video length"]) == ("Spring", 200_000, "21–60 s")
    assert (totals["Creators"], totals["Planned spend"], totals["Left"]) == (4, 61_000, 139_000)
    assert totals["Blended CPM at planned spend"] == round(61_000 * 1000 / 1_287_680, 2)  # not 78,000 at list
    assert totals["Expected plays"] == 1_287_680
    assert totals["Note"].startswith("Totals leave out rejected creators")
    no_budget, autumn = _shortlist(sessions, [make_creator("z", price_21_60=None)], name="Autumn")
    book = load_workbook(io.BytesIO(to_xlsx(no_budget.summary("T1", autumn), "zh")))
    totals = {label: value for label, value in book.worksheets[1].iter_rows(values_only=True)}
    assert (totals["预算"], totals["剩余"], totals["视频时长"]) == (None, None, "21-60秒")  # unknown: empty


def test_chinese_followers_read_in_wan_and_stay_numbers(summary) -> None:
    """9504875 is read as 950.5万 in Chinese: a custom number format, so the cell still sorts and sums."""
    for lang, number_format in (
        ("zh", '[>=100000000]0\\.00,,"亿";[>=10000]0\\.0,"万";#,##0'),
        ("en", "#,##0"),
    ):
        sheet = load_workbook(io.BytesIO(to_xlsx(summary, lang))).active
        followers = sheet.cell(row=2, column=4)
        assert (followers.value, followers.data_type, followers.number_format) == (
            120_000,
            "n",
            number_format,
        )
    [a, _] = csv.DictReader(io.StringIO(to_csv(summary, "zh").decode("utf-8-sig")))
    assert a["粉丝数"] == "120000"  # the CSV has no formats: the number as it is
