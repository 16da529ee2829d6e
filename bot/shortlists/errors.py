"""Everything a shortlist command can refuse, in Chinese and English, with what to do next."""

from __future__ import annotations

from collections.abc import Sequence

from bot.errors import KolbotError
from bot.i18n import Text


class ShortlistError(KolbotError):
    """A refused shortlist action; nothing was stored."""


def _names(names: Sequence[str]) -> str:
    return ", ".join(names)


def not_found(ref: str, known: Sequence[str]) -> ShortlistError:
    listed = (
        Text("Shortlists here: %(names)s.", names=_names(known))
        if known
        else Text("This channel has no shortlists yet.")
    )
    return ShortlistError(
        Text("No shortlist named “%(ref)s” in this channel.", ref=ref),
        hint=Text("%(listed)s Check the name or use its short id.", listed=listed),
    )


def ambiguous(ref: str, candidates: Sequence[str]) -> ShortlistError:
    return ShortlistError(
        Text(
            "“%(ref)s” matches %(len)s shortlists: %(names)s.",
            ref=ref,
            len=len(candidates),
            names=_names(candidates),
        ),
        hint=Text("Which one did you mean? Repeat the command with its short id."),
    )


def name_taken(name: str, short_id: str) -> ShortlistError:
    return ShortlistError(
        Text(
            "This channel already has an open shortlist “%(name)s” (%(short_id)s).",
            name=name,
            short_id=short_id,
        ),
        hint=Text("Add to that one, or give the new shortlist another name."),
    )


def other_workspace() -> ShortlistError:
    return ShortlistError(
        Text("That shortlist belongs to another Slack workspace; nothing was changed."),
        hint=Text("Use a shortlist from this workspace (list them in the channel)."),
    )


def other_channel(channel_id: str) -> ShortlistError:
    return ShortlistError(
        Text("That shortlist lives in <#%(channel_id)s>.", channel_id=channel_id),
        hint=Text("Run the command in that channel."),
    )


def closed(name: str) -> ShortlistError:
    return ShortlistError(
        Text("Shortlist “%(name)s” is closed; nothing was changed.", name=name),
        hint=Text("Reopen it first if you need to change it."),
    )


def creators_not_found(star_ids: Sequence[str]) -> ShortlistError:
    return ShortlistError(
        Text("Creator not found: %(names)s. Nothing was added.", names=_names(star_ids)),
        hint=Text(
            "Use the nickname as a results card shows it, or the Xingtu id; a creator kolbot has not "
            "seen yet needs a search first."
        ),
    )


def not_on_list(ref: str, name: str, on_list: Sequence[str] = ()) -> ShortlistError:
    """`ref` (an id or a nickname, as typed) is none of the list's creators, named in `on_list`."""
    hint = (
        Text("On it: %(names)s. Use a name or id from there.", names=_names(on_list))
        if on_list
        else Text("The list is empty: add the creator first.")
    )
    return ShortlistError(
        Text("“%(ref)s” is not on shortlist “%(name)s”.", ref=ref, name=name),
        hint=hint,
    )


def quote_the_name(name: str) -> ShortlistError:
    """Words that are one creator's nickname together, typed without quotes."""
    return ShortlistError(
        Text("“%(name)s” is one creator's name, read as several; nothing was added.", name=name),
        hint=Text('Put a name with spaces in quotes: "%(name)s".', name=name),
    )


def not_an_export(kind: str, kinds: str) -> ShortlistError:
    return ShortlistError(
        Text("Can't export as “%(kind)s”.", kind=kind),
        hint=Text("A shortlist exports as %(kinds)s (csv when not said).", kinds=kinds),
    )


def bad_input(what: Text, hint: Text) -> ShortlistError:
    """An argument that could not be read; nothing was stored."""
    return ShortlistError(what, hint=hint)


def unknown_id(short_id: str) -> ShortlistError:
    return ShortlistError(
        Text("No shortlist with id “%(short_id)s”.", short_id=short_id),
        hint=Text("It may have been mistyped; list the shortlists in this channel to find it."),
    )


def no_creators() -> ShortlistError:
    return ShortlistError(
        Text("No creator was given, so nothing was added."),
        hint=Text("Add creators from a search result card, or give their star ids."),
    )


def one_to_remove(typed: str) -> ShortlistError:
    return ShortlistError(
        Text("`remove` takes one creator; “%(typed)s” is more than one word.", typed=typed[:60]),
        hint=Text("Put a name with spaces in quotes, or remove one creator at a time."),
    )
