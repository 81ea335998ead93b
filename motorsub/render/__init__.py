"""Renderers: text, Markdown and HTML views of summaries, quotes, schemes, plans and audits,
built on one table helper (:mod:`motorsub.render.table`)."""
