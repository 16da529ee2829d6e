"""`digest add` options refused as they were typed: a Chinese user who wrote `条数=30` is not
quoted `top=30` back."""

from __future__ import annotations

import pytest

from bot.digests.request import parse_add
from bot.errors import QueryError


@pytest.mark.parametrize("option", ["条数=30", "top=30", "前30", "安静=也许", "页数=0", "quiet=maybe"])
def test_a_bad_option_is_quoted_as_typed(option: str) -> None:
    with pytest.raises(QueryError) as refused:
        parse_add(f'"护肤" 每天 9点 {option}')
    assert refused.value.token == option and f"“{option}”" in str(refused.value)
