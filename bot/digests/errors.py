"""Everything a `/kol digest` command can refuse, in Chinese and English, with what to do next.

Bad schedules, time zones and search grammar raise the core's `QueryError` instead (it names
the offending part); these cover the digest command itself. Nothing is stored when one is raised.
"""

from __future__ import annotations

from bot.errors import KolbotError, QueryError


class DigestError(KolbotError):
    """A refused digest command; nothing was stored."""


def _usage(command: str) -> tuple[str, str]:
    example = f'{command} digest add "护肤 followers>=10w" daily 09:30 top=10'
    return f"Example: {example}", f"示例：{example}"


def unknown_id(short_id: str, command: str) -> DigestError:
    return DigestError(
        f"No digest with id “{short_id}”.",
        f"没有 ID 为“{short_id}”的定时推送。",
        hint_en=f"List this channel's digests with {command} digest list.",
        hint_zh=f"可用 {command} digest list 查看本频道的定时推送。",
    )


def other_workspace() -> DigestError:
    return DigestError(
        "That digest belongs to another Slack workspace; nothing was changed.",
        "该定时推送属于其他 Slack 工作区，未做任何更改。",
        hint_en="Use a digest id from this workspace.",
        hint_zh="请使用本工作区的定时推送 ID。",
    )


def needs_id(verb: str, command: str) -> DigestError:
    return DigestError(
        f"`digest {verb}` needs a digest id.",
        f"`digest {verb}` 需要一个定时推送 ID。",
        hint_en=f"Example: {command} digest {verb} k3x9ab (ids are in {command} digest list).",
        hint_zh=f"示例：{command} digest {verb} k3x9ab（ID 见 {command} digest list）。",
    )


def unknown_verb(verb: str, command: str) -> DigestError:
    return DigestError(
        f"Unknown digest command “{verb}”.",
        f"无法识别的定时推送命令“{verb}”。",
        hint_en=f"Use add, list, show, pause, resume, remove, run or tz; see {command} digest help.",
        hint_zh=f"可用 add、list、show、pause、resume、remove、run 或 tz；详见 {command} digest help。",
    )


def missing_quotes(command: str) -> QueryError:
    en, zh = _usage(command)
    return QueryError(
        "add",
        "Put the search in quotes, then the schedule.",
        "请把搜索条件放在引号里，后面写时间表。",
        usage_en=en,
        usage_zh=zh,
    )


def unclosed_quote(text: str, command: str) -> QueryError:
    en, zh = _usage(command)
    return QueryError(
        text, "The search has no closing quote.", "搜索条件缺少右引号。", usage_en=en, usage_zh=zh
    )


def empty_query(command: str) -> QueryError:
    en, zh = _usage(command)
    return QueryError(
        '""', "The search in quotes is empty.", "引号里的搜索条件为空。", usage_en=en, usage_zh=zh
    )


def missing_schedule(command: str) -> QueryError:
    en, zh = _usage(command)
    return QueryError(
        "",
        "Say when to post: a schedule such as daily 09:30 follows the quoted search.",
        "请说明推送时间：在引号后写时间表，例如 每天 09:30。",
        usage_en=en,
        usage_zh=zh,
    )


def bad_option(token: str, en_rule: str, zh_rule: str) -> QueryError:
    return QueryError(
        token,
        f"“{token}”: {en_rule}",
        f"“{token}”：{zh_rule}",
        usage_en="Options: top=1-20 · pages=N · quiet=yes|no",
        usage_zh="选项：top=1-20 · pages=N · quiet=yes|no",
    )


def too_many_pages(pages: int, cap: int) -> QueryError:
    return QueryError(
        f"pages={pages}",
        f"A digest fetches at most {cap} page(s) per run; pages={pages} is more.",
        f"定时推送每次最多获取 {cap} 页，pages={pages} 超出上限。",
        usage_en=f"Use pages=1 to pages={cap}.",
        usage_zh=f"请使用 pages=1 至 pages={cap}。",
    )


def not_posted(short_id: str, error: str, *, paused: bool, command: str) -> DigestError:
    return DigestError(
        f"Digest {short_id} was not posted: Slack refused the message ({error})."
        + (" The digest paused itself." if paused else ""),
        f"定时推送 {short_id} 未能推送：Slack 拒绝了消息（{error}）。"
        + ("该推送已自动暂停。" if paused else ""),
        hint_en=f"If the bot was removed from the channel, invite it back, then"
        f" {command} digest resume {short_id}.",
        hint_zh=f"如果机器人已被移出频道，请重新邀请后执行 {command} digest resume {short_id}。",
    )
