"""Everything a shortlist command can refuse, in Chinese and English, with what to do next."""

from __future__ import annotations

from collections.abc import Sequence

from bot.errors import KolbotError


class ShortlistError(KolbotError):
    """A refused shortlist action; nothing was stored."""


def _names(names: Sequence[str]) -> str:
    return ", ".join(names)


def not_found(ref: str, known: Sequence[str]) -> ShortlistError:
    listed_en = f"Shortlists here: {_names(known)}." if known else "This channel has no shortlists yet."
    listed_zh = f"本频道的清单：{_names(known)}。" if known else "本频道还没有清单。"
    return ShortlistError(
        f"No shortlist named “{ref}” in this channel.",
        f"本频道没有名为“{ref}”的清单。",
        hint_en=f"{listed_en} Check the name or use its short id.",
        hint_zh=f"{listed_zh}请检查名称，或使用清单短 ID。",
    )


def ambiguous(ref: str, candidates: Sequence[str]) -> ShortlistError:
    return ShortlistError(
        f"“{ref}” matches {len(candidates)} shortlists: {_names(candidates)}.",
        f"“{ref}”匹配到 {len(candidates)} 个清单：{_names(candidates)}。",
        hint_en="Which one did you mean? Repeat the command with its short id.",
        hint_zh="您指的是哪一个？请用清单短 ID 重新输入命令。",
    )


def other_workspace() -> ShortlistError:
    return ShortlistError(
        "That shortlist belongs to another Slack workspace; nothing was changed.",
        "该清单属于其他 Slack 工作区，未做任何更改。",
        hint_en="Use a shortlist from this workspace (list them in the channel).",
        hint_zh="请使用本工作区的清单（可在频道中列出）。",
    )


def other_channel(channel_id: str) -> ShortlistError:
    return ShortlistError(
        f"That shortlist lives in <#{channel_id}>.",
        f"该清单属于 <#{channel_id}> 频道。",
        hint_en="Run the command in that channel.",
        hint_zh="请在该频道中执行此命令。",
    )


def closed(name: str) -> ShortlistError:
    return ShortlistError(
        f"Shortlist “{name}” is closed; nothing was changed.",
        f"清单“{name}”已关闭，未做任何更改。",
        hint_en="Reopen it first if you need to change it.",
        hint_zh="如需修改，请先重新打开该清单。",
    )


def creators_not_found(star_ids: Sequence[str]) -> ShortlistError:
    return ShortlistError(
        f"Creator not found: {_names(star_ids)}. Nothing was added.",
        f"未找到达人：{_names(star_ids)}，未添加任何达人。",
        hint_en="Add creators from a search result card, or search for them first.",
        hint_zh="请从搜索结果卡片中添加达人，或先搜索该达人。",
    )


def not_on_list(star_id: str, name: str) -> ShortlistError:
    return ShortlistError(
        f"Creator {star_id} is not on shortlist “{name}”.",
        f"达人 {star_id} 不在清单“{name}”中。",
        hint_en="Add the creator first, or check the id.",
        hint_zh="请先添加该达人，或检查 ID。",
    )


def bad_input(en: str, zh: str, hint_en: str, hint_zh: str) -> ShortlistError:
    """An argument that could not be read; nothing was stored."""
    return ShortlistError(en, zh, hint_en=hint_en, hint_zh=hint_zh)


def unknown_id(short_id: str) -> ShortlistError:
    return ShortlistError(
        f"No shortlist with id “{short_id}”.",
        f"没有 ID 为“{short_id}”的清单。",
        hint_en="It may have been mistyped; list the shortlists in this channel to find it.",
        hint_zh="可能输入有误；请列出本频道的清单进行查找。",
    )


def no_creators() -> ShortlistError:
    return ShortlistError(
        "No creator was given, so nothing was added.",
        "未指定达人，未添加任何内容。",
        hint_en="Add creators from a search result card, or give their star ids.",
        hint_zh="请从搜索结果卡片中添加达人，或提供达人 star ID。",
    )
