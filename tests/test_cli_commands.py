"""`kolbot show`, `kolbot compare` and `kolbot help` in the terminal, on the demo data (issue 11 §8)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cards.validate import validate_message
from bot.cli import main, message_lines
from bot.demo import synth_detail

STAR, OTHER = synth_detail.demo_star_ids()[:2]


def test_show_prints_the_deep_dive_card_as_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", STAR]) == 0
    out = capsys.readouterr().out
    assert "DEMO DATA" in out and f"Xingtu id {STAR}" in out
    assert "Price list" in out and "Audience portrait" in out
    assert "<http" not in out and "&amp;" not in out  # Slack markup is read out as text
    assert ":test_tube:" not in out and "*Profile*" not in out and "🧪 DEMO DATA" in out


def test_show_blocks_prints_a_valid_slack_message(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", STAR, "--blocks", "--lang", "zh", "--duration", "1-20"]) == 0
    message = json.loads(capsys.readouterr().out)
    assert validate_message(message) == [] and "演示数据" in json.dumps(message, ensure_ascii=False)


def test_show_an_unknown_id_exits_2_and_says_check_the_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "7000000000000000001"]) == 2
    captured = capsys.readouterr()
    assert "Check the id" in captured.err and "few minutes" not in captured.err and captured.out == ""


def test_show_a_malformed_id_names_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "not-an-id!"]) == 2
    assert "not-an-id!" in capsys.readouterr().err


def test_compare_prints_the_comparison(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", STAR, OTHER, "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "达人对比（2 位）" in out and "CPM" in out and "最佳" in out


def test_compare_blocks_and_a_single_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", STAR, OTHER, "--blocks"]) == 0
    assert validate_message(json.loads(capsys.readouterr().out)) == []
    assert main(["compare", STAR]) == 2
    assert "at least 2" in capsys.readouterr().err


@pytest.mark.parametrize(("lang", "expected"), [("en", "Type keywords"), ("zh", "输入关键词")])
def test_help_prints_the_grammar(capsys: pytest.CaptureFixture[str], lang: str, expected: str) -> None:
    assert main(["help", "--lang", lang]) == 0
    assert expected in capsys.readouterr().out
    assert main(["help", "--blocks"]) == 0
    assert validate_message(json.loads(capsys.readouterr().out)) == []


def test_show_and_compare_take_audience_targets(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", STAR, "--audience", "受众性别=女>=70% 受众城市=二线", "--lang", "zh"]) == 0
    assert "受众匹配：达成" in capsys.readouterr().out
    assert main(["compare", STAR, OTHER, "--audience", "audience_age=18-30"]) == 0
    assert "Audience fit" in capsys.readouterr().out
    assert main(["show", STAR, "--audience", "受众性别=机器人"]) == 2
    assert "受众性别=机器人" in capsys.readouterr().err


def test_card_text_is_unescaped_once_for_the_terminal() -> None:
    """A nickname that is literally `A&lt;B` stays so: Slack's escaping is undone once, not twice."""
    text = "*达人* A&amp;lt;B <https://x.y|页> :warning:"
    block = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    assert message_lines({"blocks": [block]}) == ["达人 A&lt;B 页 ⚠"]


def test_search_card_and_deep_dive_show_the_same_xingtu_index(capsys: pytest.CaptureFixture[str]) -> None:
    """One 星图指数: what the results card shows (and `star>=` filters on) is what Details shows."""
    assert main(["search", "护肤 star>=60 view=full top=3 lang=en", "--blocks"]) == 0
    blocks = json.loads(capsys.readouterr().out)["blocks"]
    shown: dict[str, str] = {}
    for block in blocks:
        fields = {f["text"].split("\n")[0]: f["text"].split("\n")[-1] for f in block.get("fields") or []}
        if "*Xingtu index*" in fields:
            shown[re.findall(r"\d{19}", block["text"]["text"])[0]] = fields["*Xingtu index*"]
    assert len(shown) == 3 and all(float(value) >= 60 for value in shown.values())
    for star_id, value in shown.items():
        assert main(["show", star_id, "--lang", "en"]) == 0
        assert re.search(
            rf"  Xingtu index: {value}( ·|\n)", capsys.readouterr().out
        )  # from search if refused


def test_show_and_compare_read_their_words_as_slack_does(capsys: pytest.CaptureFixture[str]) -> None:
    """Full-width digits, `duration=` and `audience_…=` typed among the ids, as in `/kol show`."""
    wide = STAR.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    assert main(["show", wide, "duration=1-20", "audience_age=18-30"]) == 0
    out = capsys.readouterr().out
    assert f"Xingtu id {STAR}" in out and "Audience fit" in out
    assert main(["compare", STAR, OTHER, "duration=1-20"]) == 0
    assert "Compare 2 creators · 1–20 s" in capsys.readouterr().out
    assert main(["compare", STAR, OTHER, "duration=1-20", "--duration", "60+"]) == 0  # the flag wins
    assert "Compare 2 creators · 60 s+" in capsys.readouterr().out
    assert main(["show", STAR, OTHER]) == 2
    assert "`show` takes one creator, not 2" in capsys.readouterr().err
    assert main(["compare", STAR, OTHER, "sort=cpm"]) == 2
    assert "Search options do not apply here: sort=cpm" in capsys.readouterr().err


def test_a_search_and_a_plan_take_their_words_unquoted(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "护肤", "sort=cpm", "lang=en", "--blocks"]) == 0
    assert "sorted by: Lowest CPM" in capsys.readouterr().out
    assert main(["plan", "20万", "护肤", "lang=en"]) == 0
    assert "Plan #" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["help"], ["search", "护肤"]])  # print, and rich's console
def test_a_reader_that_stops_early_gets_no_traceback(argv: list[str]) -> None:
    """`kolbot help | head -1`: the reader has gone before kolbot writes (it starts once told to);
    exit status 0, as for any command whose reader had enough."""
    script = f"import sys\nfrom bot.cli import run\nsys.stdin.readline()\nrun({argv!r})"
    child = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert child.stdin is not None and child.stdout is not None
    child.stdout.close()
    _, err = child.communicate(b"go\n", timeout=60)
    assert child.returncode == 0 and b"Traceback" not in err, err.decode()


def test_a_search_that_matches_nobody_prints_why_and_what_to_try(capsys: pytest.CaptureFixture[str]) -> None:
    """Not an empty table: the card's explanation, as Slack shows it."""
    assert main(["search", "skincare cpm<=1"]) == 0
    out = capsys.readouterr().out
    assert "None of the 39 creators seen matched your filters." in out and "┏" not in out
    assert "CPM ≤ ¥1 / 1k plays: 11 excluded, 25 unknown" in out and "unknowns=yes" in out
