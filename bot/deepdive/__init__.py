"""Creator deep-dive (`/kol show`, `/kol compare`): routes, parsers, risk flags, audience fit, comparison."""
