"""The conftest guard: a test in which a card fell back to plain text fails unless it says it means to."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


@pytest.mark.card_fallback  # the inner run's fallbacks are logged in this process too
def test_a_card_fallback_fails_the_test_unless_marked(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmarkers = card_fallback: on purpose")
    pytester.makeconftest("from tests.conftest import _no_card_fallback  # noqa: F401")
    pytester.makepyfile(
        """
        import pytest
        from bot.cards.render import render

        def test_unmarked():
            render("nope.json.j2", {}, fallback_text="x")

        @pytest.mark.card_fallback
        def test_marked():
            render("nope.json.j2", {}, fallback_text="x")

        def test_a_real_card():
            assert render("notice.json.j2", {"lang": "en", "text": "hi"}, fallback_text="hi").blocks
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_unmarked*", "*a card fell back to plain text*"])
