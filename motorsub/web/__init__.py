"""The counter: ``motorsub serve``, a web page (Chinese first) for pricing trade-ins, a
printable quote sheet, a batch page and a JSON API.

The web code holds no subsidy rule: a quote is :func:`motorsub.engine.quote.from_fields`
(the command line's :func:`~motorsub.engine.quote.quote`), a batch is
:func:`motorsub.backends.local.compute_file`, and the words come from the one message
catalogue (:mod:`motorsub.i18n`). :func:`motorsub.web.app.create_app` builds the app.
"""
