"""Scheduled digests: schedule grammar and math, result snapshots, and the diff between runs."""
