"""Short random ids that users can read and type (no 0/o, 1/l/i look-alikes)."""

from __future__ import annotations

import secrets

ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
SHORT_ID_LENGTH = 6  # of a shortlist or digest id, what users type


def short_id(length: int = SHORT_ID_LENGTH) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))
