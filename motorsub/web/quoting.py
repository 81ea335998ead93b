"""What the pages and the API share: a quote from a form or a body, the problems in the
request's language, and an upload saved for a batch job."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
from pathlib import Path, PurePath

from fastapi import Request, UploadFile

from motorsub import i18n, io
from motorsub.engine import quote as engine
from motorsub.render import quote as words

HERE = Path(__file__).parent
LANG_COOKIE = "motorsub_lang"
NAMES = (*engine.FIELDS, *engine.EXTRA_FIELDS)
CHUNK = 1 << 20


def form_values(mapping) -> dict:
    """The quote's fields of a query string, form or JSON body (other names ignored)."""
    return {k: mapping.get(k) for k in NAMES if mapping.get(k) not in (None, "")}


def problems_json(problems: list[engine.Problem], lang: str) -> list[dict]:
    """Each problem as ``{field, label, value, code, reason}``, in ``lang``."""
    _ = i18n.translator(lang)
    return [
        {
            "field": p.field,
            "label": words.field_label(p.field, _),
            "value": p.value,
            "code": p.code,
            "reason": words.problem_words(p, _),
        }
        for p in problems
    ]


def run_quote(request: Request, values: dict, compare: bool = False):
    """The quote (or comparison) of ``values``, or the problems that stop it."""
    try:
        return engine.from_fields(
            values,
            request.app.state.schemes,
            request.app.state.profile,
            compare_options=compare,
        ), []
    except engine.QuoteError as exc:
        return None, exc.problems


async def save_upload(request: Request, upload: UploadFile, lang: str):
    """Save an upload as a new job's input; returns (job id, None, 200) or (None, problem,
    the HTTP status to answer with)."""
    _ = i18n.translator(lang)
    jobs = request.app.state.jobs
    suffix = PurePath(upload.filename or "").suffix.lower()
    if suffix not in io.FORMATS:
        return (
            None,
            {
                "field": "file",
                "reason": _("not accepted: give a file of one of these kinds: {kinds}").format(
                    kinds=", ".join(io.FORMATS)
                ),
            },
            422,
        )
    if jobs.busy():
        return None, {"field": "file", "reason": _("The counter is busy: try again shortly.")}, 429
    job_id, folder = jobs.new_folder()
    name = "input" + suffix  # the server's name: the client's never reaches the disk
    size, limit = 0, request.app.state.config.max_upload
    with open(folder / name, "wb") as f:
        while chunk := await upload.read(CHUNK):
            size += len(chunk)
            if size > limit:
                break
            f.write(chunk)
    if size > limit or size == 0:
        (folder / name).unlink(missing_ok=True)
        reason = (
            _("The file is too large: at most {mb} MB.").format(mb=f"{limit / (1 << 20):.0f}")
            if size
            else _("The file is empty.")
        )
        return None, {"field": "file", "reason": reason}, 413 if size else 422
    jobs.submit(job_id, folder, name, lang)
    return job_id, None, 200


async def wait_for(request: Request, job_id: str) -> dict:
    job = request.app.state.jobs.get(job_id)
    await asyncio.wrap_future(job.future)
    return job.state()


def request_lang(request: Request) -> str:
    """``?lang=``, else the cookie, else (for the API) Accept-Language, else Chinese."""
    q = request.query_params.get("lang", "")
    if q in i18n.LANGS:
        return q
    c = request.cookies.get(LANG_COOKIE, "")
    if c in i18n.LANGS:
        return c
    if request.url.path.startswith("/api/"):
        accept = request.headers.get("accept-language", "").strip().lower()
        if accept.startswith("en"):
            return "en"
    return "zh"


def quote_number(values: dict, today: dt.date) -> str:
    """A quote's number: the day and a digest of what was asked (the same inputs on the
    same day give the same number)."""
    text = json.dumps(sorted((k, str(v)) for k, v in values.items() if v), ensure_ascii=False)
    return f"Q{today:%Y%m%d}-{hashlib.sha256(text.encode()).hexdigest()[:6].upper()}"
