from __future__ import annotations

from bot.store.searches import SearchRefs


def test_saved_search_round_trips_within_its_workspace(sessions) -> None:
    refs = SearchRefs(sessions)
    ref = refs.save("T1", "C1", "U1", "口红 followers>=10w", "zh")
    saved = refs.get(ref, "T1")
    assert saved is not None
    assert (saved.team_id, saved.channel_id, saved.user_id) == ("T1", "C1", "U1")
    assert (saved.raw_query, saved.lang) == ("口红 followers>=10w", "zh")
    assert saved.created_at.tzinfo is not None


def test_refs_are_short_distinct_and_safe_in_button_values(sessions) -> None:
    refs = SearchRefs(sessions)
    ids = {refs.save("T1", "C1", "U1", f"q{i}", "en") for i in range(20)}
    assert len(ids) == 20
    assert all(len(ref) <= 16 and ref.isalnum() for ref in ids)


def test_other_workspace_and_unknown_refs_are_not_found(sessions) -> None:
    refs = SearchRefs(sessions)
    ref = refs.save("T1", "C1", "U1", "lipstick", "en")
    assert refs.get(ref, "T2") is None
    assert refs.get("nosuchref", "T1") is None
