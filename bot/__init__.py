"""kolbot core: settings, data sources, models, grammar, scoring, formatting, storage.

Nothing in this package imports slack_bolt; Slack wiring lives in `handlers/`.
"""
