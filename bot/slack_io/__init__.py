"""The Slack output adapter: the only part of `bot/` that calls the Slack Web API for the domain
(shortlist messages, digest posts, deep-dive cards and charts). Domain packages never import it;
where they need Slack they take a small Protocol (e.g. `bot.digests.poster.Poster`)."""
