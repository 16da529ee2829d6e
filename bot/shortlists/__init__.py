"""Shortlists that live in Slack threads: the domain service, its summary and exports (no Slack calls)."""
