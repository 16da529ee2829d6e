"""What the planner can refuse, in Chinese and English, with what to do next."""

from __future__ import annotations

from collections.abc import Sequence

from bot.errors import KolbotError


class PlanError(KolbotError):
    """A refused plan request; nothing was stored."""


def no_shortlist_here(command: str) -> PlanError:
    return PlanError(
        "This channel has no open shortlist to plan over.",
        "本频道没有可规划的进行中候选名单。",
        hint_en=f"Plan over a search instead (`{command} plan 200k 护肤 followers>=10w`), "
        f"or start one with `{command} shortlist new <name>`.",
        hint_zh=f"可改为按搜索规划（`{command} plan 20万 护肤 followers>=10w`），"
        f"或用 `{command} shortlist new <名称>` 新建名单。",
    )


def which_shortlist(names: Sequence[str]) -> PlanError:
    listed = ", ".join(names)
    return PlanError(
        f"This channel has several open shortlists: {listed}.",
        f"本频道有多个进行中的候选名单：{listed}。",
        hint_en="Say which with shortlist=<name or id>, or use *Plan budget* on the shortlist's message.",
        hint_zh="请用 shortlist=<名称或ID> 指明，或在名单消息上点 *规划预算*。",
    )


def not_candidates(ids: Sequence[str], option: str, where_en: str, where_zh: str) -> PlanError:
    listed = ", ".join(ids)
    return PlanError(
        f"{option}= names creators that are not {where_en}: {listed}.",
        f"{option}= 中的达人不在{where_zh}中：{listed}。",
        hint_en="Use star ids of creators in the plan's candidates.",
        hint_zh="请使用候选达人的星图 ID。",
    )


def unknown_plan(ref: str, command: str) -> PlanError:
    return PlanError(
        f"No plan {ref} in this channel.",
        f"本频道没有编号为 {ref} 的规划。",
        hint_en=f"`{command} plan list` shows this channel's plans.",
        hint_zh=f"`{command} plan list` 可查看本频道的规划。",
    )


def no_candidates() -> PlanError:
    return PlanError(
        "There are no creators to plan over.",
        "没有可规划的达人。",
        hint_en="Add creators to the shortlist, or plan over a broader search.",
        hint_zh="请先向名单添加达人，或改用范围更大的搜索。",
    )
