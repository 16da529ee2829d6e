"""The `kolbot` command line, on the bundled demo data and against the fake TikHub."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from rich.cells import cell_len
from rich.console import Console

from bot.cards.validate import validate_message
from bot.cli import main, message_lines, results_table
from bot.db.engine import make_engine
from bot.db.migrate import alembic_config, head_revisions
from bot.demo.synth import FAILING_KEYWORD
from bot.settings import get_settings
from tests.fakes.tikhub_server import FakeTikHub, Fault
from tests.test_search import creator, run


def test_search_prints_a_table_with_the_summary(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # a wide terminal: every column, headers on one line
    assert main(["search", "护肤 top=3"]) == 0
    out = capsys.readouterr().out
    for header in (
        "达人",
        "粉丝",
        "报价 21-60秒",
        "CPM",
        "CPE",
        "互动率",
        "完播率",
        "星图指数",
        "评分",
        "主要理由",
    ):
        assert header in out
    assert "[演示数据]" in out and "匹配" in out and "页数 3/3" in out
    assert "报价 21-60秒" in out and "Left out at this width" not in out
    assert len([line for line in out.splitlines() if line.startswith("│ ")]) >= 3
    assert re.search(r"│\s+│ \d{19}\s+│", out)  # each creator's id, for `kolbot show`


def test_the_table_says_what_the_card_warns_about(capsys: pytest.CaptureFixture[str]) -> None:
    """Notes on the query, unknown data left out and failed pages: not only on the Slack card."""
    assert main(["search", "护肤 er>=0.03 粉丝10w++ lang=en"]) == 0
    out = capsys.readouterr().out
    assert "ℹ Treated as a keyword: `粉丝10w++`" in out and "did you mean `er>=3%`?" in out
    assert "? Left out for unknown data:" in out
    assert main(["search", f"{FAILING_KEYWORD} lang=en"]) == 0
    assert "⚠ Page(s) 2 could not be loaded" in capsys.readouterr().out


def test_plan_says_when_it_is_infeasible_as_asked(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "200k 护肤 mix=head:1-2,mid:3-5,tail:5-10 pages=5 lang=en"]) == 0
    out = capsys.readouterr().out
    assert "⚠ Infeasible as asked. mix needs ≥ 5 tail creators" in out


def test_lang_option_switches_the_table_to_english(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["search", "护肤 top=2 duration=1-20", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Price 1–20 s" in out and "Top reason" in out
    assert "[DEMO DATA]" in out and "matched of" in out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_table_fits_an_80_column_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    """Chinese names take two cells a character: still no line is wider than 80 cells, no number or id
    is cut, and what was left out is named."""
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["search", "护肤 粉丝>=10w", "--lang", lang]) == 0
    out = capsys.readouterr().out
    assert max(cell_len(line) for line in out.splitlines()) <= 80
    assert len(re.findall(r"│ \d{19} +│", out)) == 10 and "…" not in out
    assert re.search(r"│ 1 +│ \S+ +│ \S+ +│ ¥\S+ +│", out)  # followers, then the price
    assert {"zh": "当前宽度下未显示：", "en": "Left out at this width:"}[lang] in out


def test_a_long_name_is_cut_in_a_narrow_table_but_its_id_is_not() -> None:
    name = "超级无敌长名字的美妆护肤达人日常分享🌙（官方认证版）"
    result, _ = run("护肤", {1: [creator("7000000000000000001", name, interact_rate=0.03)]})
    table, left_out = results_table(result, "zh", 80)
    console = Console(width=80, file=io.StringIO())
    console.print(table)
    lines = console.file.getvalue().splitlines()
    assert max(cell_len(line) for line in lines) <= 80 and left_out
    assert any("超级无敌长名字" in line and "…" in line for line in lines)
    assert any("7000000000000000001" in line for line in lines)


def test_blocks_prints_the_slack_message(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "护肤 top=2", "--blocks"]) == 0
    message = json.loads(capsys.readouterr().out)
    assert set(message) == {"text", "blocks"}
    assert validate_message(message) == []
    assert "kol_details" in json.dumps(message)


def test_grammar_error_exits_2_naming_the_token(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "护肤 followers>>3"]) == 2
    captured = capsys.readouterr()
    assert "followers>>3" in captured.err and captured.out == ""


def test_upstream_error_exits_2_with_a_clear_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeTikHub("th-cli-secret-token") as tikhub:
        tikhub.inject(Fault.FORBIDDEN, times=None)
        monkeypatch.setenv("TIKHUB_API_KEY", tikhub.token)
        monkeypatch.setenv("TIKHUB_BASE_URL", tikhub.url)
        monkeypatch.setenv("TIKHUB_MAX_RETRIES", "0")
        get_settings.cache_clear()
        assert main(["search", "skincare pages=1"]) == 2
    err = capsys.readouterr().err
    assert "lacks permission" in err and "th-cli-secret-token" not in err


def test_migrate_creates_the_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate"]) == 0
    assert (tmp_path / "data" / "kolbot.db").exists()
    out, err = capsys.readouterr()
    assert f"database sqlite:///{tmp_path}/data/kolbot.db: created at {LATEST}" in out
    assert "Running upgrade  -> 0001" in err and "setup plugin" not in err  # alembic's plumbing is quiet


LATEST = "+".join(sorted(head_revisions()))


def test_migrate_says_what_it_applied_and_when_nothing_was_needed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'kolbot.db'}"
    engine = make_engine(url)
    with engine.begin() as connection:  # an older database: only the first revision applied
        command.upgrade(alembic_config(connection), "0001")
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)

    assert main(["migrate"]) == 0
    assert f"database {url}: migrated from 0001 to {LATEST}" in capsys.readouterr().out
    assert main(["migrate"]) == 0
    out = capsys.readouterr().out
    assert f"database {url}: nothing to migrate, already at {LATEST}" in out and "migrated" not in out


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("foo", "not a database URL"),
        ("mysql://kolbot:hunter2@db.example/kolbot", "unsupported database (mysql)"),
        (
            "postgresql+asyncpg://kolbot:hunter2@db.example/kolbot",
            "unsupported database (postgresql+asyncpg)",
        ),
    ],
)
@pytest.mark.parametrize("command", [["migrate"], ["search", "护肤"]])
def test_an_unsupported_database_url_stops_with_one_line_naming_the_setting(
    url: str,
    named: str,
    command: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(command) == 2
    out, err = capsys.readouterr()
    [line] = err.strip().splitlines()
    assert named in line and "DATABASE_URL" in line and "sqlite:///" in line and "postgresql://" in line
    assert "hunter2" not in err and not out


def test_a_missing_folder_in_database_url_is_refused_not_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'typo' / 'kolbot.db'}")
    assert main(["migrate"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "DATABASE_URL" in line and str(tmp_path / "typo") in line
    assert not (tmp_path / "typo").exists()


def test_the_default_database_folder_is_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOLBOT_DATA_DIR", str(tmp_path / "new" / "data"))
    assert main(["migrate"]) == 0
    assert (tmp_path / "new" / "data" / "kolbot.db").exists()


def test_serve_without_slack_settings_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["serve"])
    assert exit_info.value.code == 2
    assert "SLACK_SIGNING_SECRET" in capsys.readouterr().err


def test_no_bot_module_imports_slack_bolt() -> None:
    """`bot/` is the core: only `handlers/` may pull in slack_bolt (the CLI does so lazily)."""
    script = (
        "import importlib, pkgutil, sys, bot\n"
        "names = [m.name for m in pkgutil.walk_packages(bot.__path__, 'bot.')]\n"
        "for name in names: importlib.import_module(name)\n"
        "print(len(names), 'slack_bolt' in sys.modules)\n"
    )
    repo = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=repo
    )
    count, imported = done.stdout.split()
    assert int(count) > 10  # bot.cli, bot.services and the rest were really imported
    assert imported == "False"


def test_an_invalid_setting_stops_with_one_message_naming_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KOLBOT_MAX_PAGES", "abc")
    monkeypatch.setenv("TIKHUB_API_KEY", "")
    assert main(["search", "护肤"]) == 2
    err = capsys.readouterr().err
    assert "KOLBOT_MAX_PAGES" in err and "Traceback" not in err and "abc" not in err


def test_plan_prints_the_plan_and_writes_chart_and_export(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    chart, sheet = tmp_path / "plan.png", tmp_path / "plan.csv"
    argv = ["plan", "200k 护肤 mix=head:1-2,mid:3-5 lang=en", "--chart", str(chart), "--export", str(sheet)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.startswith("Plan #1: ") and "Runner-up" in out and "Head" in out
    # what the card says below its picks: totals, then who was left out and why
    assert "Blended CPE: ¥" in out and "Nothing to weigh them by" in out and "Ask for a quote" in out
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sheet.read_bytes().decode("utf-8-sig").startswith("In plan,Star ID,Creator,Tier")
    assert main(["plan", "200k 护肤", "--blocks"]) == 0
    assert validate_message(json.loads(capsys.readouterr().out)) == []


@pytest.mark.parametrize(
    ("option", "name", "said"),
    [
        ("--chart", "missing/plan.png", "check that its folder exists"),
        ("--export", "missing/plan.xlsx", "check that its folder exists"),
        ("--export", "plan.pdf", "--export writes a .xlsx/.csv file"),
        ("--chart", "plan.jpg", "--chart writes a .png file"),
    ],
)
def test_plan_refuses_a_file_it_cannot_write_before_planning(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, option: str, name: str, said: str
) -> None:
    target = tmp_path / name
    assert main(["plan", "200k 护肤 lang=en", option, str(target)]) == 2
    captured = capsys.readouterr()
    assert said in captured.err and str(target) in captured.err and "Traceback" not in captured.err
    assert captured.out == "" and not target.exists()  # refused before the plan was made


def test_plan_says_so_when_writing_fails(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "taken.csv"
    target.mkdir()  # a folder where the file should go: the write itself fails
    assert main(["plan", "200k 护肤 lang=en", "--export", str(target)]) == 2
    assert "check that its folder exists" in capsys.readouterr().err


def test_plan_needs_a_search_from_the_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "200k goal=awareness"]) == 2
    assert "plan over a search" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"KOLBOT_LANG": "fr"}, ["KOLBOT_LANG"]),
        ({"KOLBOT_DEFAULT_PAGES": "20"}, ["KOLBOT_DEFAULT_PAGES"]),
        ({"KOLBOT_LANG": "fr", "KOLBOT_DEFAULT_PAGES": "20", "PORT": "70000"}, ["KOLBOT_LANG", "PORT"]),
        ({"KOLBOT_SHUTDOWN_GRACE_S": "-1", "KOLBOT_SEARCH_RETENTION_DAYS": "0"}, ["GRACE", "RETENTION"]),
    ],
)
def test_out_of_range_settings_stop_start_up_listing_each(
    env: dict[str, str], named: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["search", "护肤"]) == 2
    err = capsys.readouterr().err
    assert all(name in err for name in named) and "Traceback" not in err
    english = err.strip().splitlines()[0].split(" / ")[0]  # one line, English then Chinese
    assert len(re.findall(r"(?:: |; )[A-Z_]+ \(", english)) == len(env)  # each bad one, none clamped


def test_lang_setting_accepts_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOLBOT_LANG", " ZH ")
    assert get_settings().kolbot_lang == "zh"


def test_a_fields_further_lines_are_indented_under_its_label() -> None:
    """A deep-dive field holds the price, then its CPM and CPE: the terminal keeps them under it."""
    block = {"type": "section", "fields": [{"type": "mrkdwn", "text": "*1-20 s*\nPrice ¥100\nCPM ¥5"}]}
    assert message_lines({"blocks": [block]}) == ["  1-20 s: Price ¥100\n    CPM ¥5"]


def test_the_plan_table_in_chinese_says_the_price_basis_in_chinese(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["plan", "5万 护肤", "--lang", "zh"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("│")]
    assert rows and all("│ list " not in row and "│ quote " not in row for row in rows)
    assert any("刊例价" in row for row in rows)


def test_the_chinese_plan_card_uses_chinese_brackets_and_list_commas(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["plan", "5万 护肤", "--blocks"]) == 0
    text = json.dumps(json.loads(capsys.readouterr().out), ensure_ascii=False)
    assert "（刊例价）" in text and " (刊例价)" not in text
    assert re.search(r"\*(头部|腰部|尾部)\*（\d+）", text)


def test_a_first_search_does_not_print_the_migration_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo's first run creates the database quietly; `kolbot migrate` is where that is shown."""
    monkeypatch.setenv("KOLBOT_DATA_DIR", str(tmp_path / "data"))
    assert main(["search", "护肤"]) == 0
    assert "Running upgrade" not in capsys.readouterr().err


def test_version_and_the_connection_name_pg_stat_activity_shows(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from importlib.metadata import version

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.strip() == f"kolbot {version('kolbot')}"
    monkeypatch.delenv("PGAPPNAME", raising=False)
    assert main(["help"]) == 0
    assert os.environ["PGAPPNAME"] == "kolbot help"  # libpq's application_name for every connection


def test_invalid_settings_are_one_line_naming_each_without_its_value(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KOLBOT_MAX_PAGES", "hunter2")
    monkeypatch.setenv("PORT", "99999")
    assert main(["help"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert (
        line.startswith("kolbot cannot start: invalid settings: ") and "kolbot 无法启动：设置无效：" in line
    )
    assert "KOLBOT_MAX_PAGES (a whole number is needed)" in line and "PORT (must be at most 65535)" in line
    assert "KOLBOT_MAX_PAGES（须为整数）" in line and "PORT（须不大于 65535）" in line
    assert "Input should" not in line and "hunter2" not in line


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("KOLBOT_DIGEST_TZ", "Mars/secret1", "KOLBOT_DIGEST_TZ（不是 IANA 时区名称，例如 Asia/Shanghai）"),
        ("KOLBOT_WORKER_HEARTBEAT_S", "nan", "KOLBOT_WORKER_HEARTBEAT_S (a number is needed)"),
        ("KOLBOT_WORKER_HEARTBEAT_S", "inf", "KOLBOT_WORKER_HEARTBEAT_S (a number is needed)"),
    ],
)
def test_kolbots_own_setting_checks_are_worded_in_both_languages_without_the_value(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str, value: str, said: str
) -> None:
    monkeypatch.setenv(name, value)
    assert main(["help"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert said in line and value not in line and "Value error" not in line


def test_an_empty_setting_is_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    """Platforms often define variables empty: KOLBOT_METRICS_PORT= is no port, not a bad one."""
    monkeypatch.setenv("KOLBOT_METRICS_PORT", "")
    assert main(["help"]) == 0


def test_every_emoji_the_cards_use_reads_as_a_symbol_in_the_terminal() -> None:
    """`kolbot compare` printed `:trophy:`: the terminal knows no Slack shortcodes."""
    import re
    from pathlib import Path

    from bot.cli import _EMOJI

    root = Path(__file__).resolve().parents[1]
    shortcode = re.compile(r"(?<![\w:]):(?:[a-z][a-z0-9_]*|[+-]1):(?!\w)")
    sources = [*(root / "templates").glob("*.j2"), *(root / "bot").rglob("*.py")]
    used = {code for path in sources for code in shortcode.findall(path.read_text())} - {":code:", ":memory:"}
    assert {":trophy:", ":+1:", ":warning:"} <= used  # (the scan finds them)
    assert used <= set(_EMOJI), used - set(_EMOJI)


def test_demo_uses_the_bundled_data_even_with_a_key_in_dot_env(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`scripts/demo` only unset the environment's key: one in ./.env made paid calls."""
    (tmp_path / ".env").write_text(
        "TIKHUB_API_KEY=tk-should-not-be-used\nTIKHUB_BASE_URL=http://127.0.0.1:9\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TIKHUB_API_KEY", raising=False)
    assert main(["search", "护肤 pages=1", "--demo", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "DEMO DATA" in out and "matched" in out
