"""The pages: the quote (``/quote``, and ``/quote/result``, the part the script refreshes
as the clerk types), the printable sheet, the batch page and the schemes. Each works
without JavaScript: a form sent by GET renders the filled form and the result."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from motorsub import i18n, vocab
from motorsub.render import quote as words
from motorsub.web.jobs import RESULT_FILES
from motorsub.web.quoting import (
    HERE,
    form_values,
    problems_json,
    quote_number,
    request_lang,
    run_quote,
    save_upload,
)

router = APIRouter(include_in_schema=False)
_env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
)


def _fmt(x, spec: str = ",.2f", unknown: str = "—") -> str:
    return unknown if x is None else format(x, spec)


_env.filters["fmt"] = _fmt
templates = Jinja2Templates(env=_env)


def _page(request: Request, name: str, **context) -> HTMLResponse:
    lang = request_lang(request)
    _ = i18n.translator(lang)
    params = dict(request.query_params)
    params.pop("token", None)
    other = "en" if lang == "zh" else "zh"
    context |= {
        "_": _,
        "lang": lang,
        "w": words,
        "other_lang": other,
        "other_lang_url": f"{request.url.path}?{urlencode(params | {'lang': other})}",
    }
    return templates.TemplateResponse(request, name, context)


def _quote_context(request: Request) -> dict:
    values = form_values(request.query_params)
    values.setdefault("region", "CN-SH")
    values.setdefault("date", dt.date.today().isoformat())
    asked = any(k in request.query_params for k in ("kw", "motor_type"))
    q = cmp = None
    problems = []
    if asked:
        q, problems = run_quote(request, values)
        if q is not None:
            cmp, _unused = run_quote(request, values, compare=True)
    lang = request_lang(request)
    shown = problems_json(problems, lang)
    return {
        "values": values,
        "q": q,
        "cmp": cmp,
        "problems": shown,
        "bad": {p["field"] for p in shown},
        "asked": asked,
        "motor_types": vocab.MOTOR_TYPES,
        "regions": vocab.regions(),
        "series": vocab.BASELINE_SERIES,
        "print_url": "/quote/print?" + urlencode(values | {"lang": lang}),
    }


@router.get("/quote", response_class=HTMLResponse)
def quote_page(request: Request):
    return _page(request, "quote.html", **_quote_context(request))


@router.get("/quote/result", response_class=HTMLResponse)
def quote_result(request: Request):
    return _page(request, "_result.html", **_quote_context(request))


@router.get("/quote/print", response_class=HTMLResponse)
def quote_print(request: Request):
    ctx = _quote_context(request)
    today = dt.date.today()
    valid = request.app.state.config.valid_days
    ctx |= {
        "number": quote_number(ctx["values"], today),
        "today": today.isoformat(),
        "valid_until": (today + dt.timedelta(days=valid)).isoformat(),
    }
    return _page(request, "print.html", **ctx)


@router.get("/schemes", response_class=HTMLResponse)
def schemes_page(request: Request):
    return _page(request, "schemes.html", schemes=request.app.state.schemes.schemes)


@router.get("/batch", response_class=HTMLResponse)
def batch_page(request: Request):
    cfg = request.app.state.config
    return _page(request, "batch.html", problem=None, max_mb=cfg.max_upload >> 20)


@router.post("/batch")
async def batch_upload(request: Request, file: UploadFile = File(...)):  # noqa: B008
    job_id, problem, status = await save_upload(request, file, request_lang(request))
    if problem:
        cfg = request.app.state.config
        response = _page(request, "batch.html", problem=problem, max_mb=cfg.max_upload >> 20)
        response.status_code = status
        return response
    return RedirectResponse(f"/batch/{job_id}", status_code=303)


@router.get("/batch/{job_id}", response_class=HTMLResponse)
def batch_job(request: Request, job_id: str):
    job = request.app.state.jobs.get(job_id)
    if job is None:
        _ = i18n.translator(request_lang(request))
        gone = _("Unknown job: a job is removed an hour after it was made.")
        cfg = request.app.state.config
        response = _page(
            request, "batch.html", problem={"reason": gone}, max_mb=cfg.max_upload >> 20
        )
        response.status_code = 404
        return response
    return _page(request, "job.html", job_id=job_id, state=job.state(), files=RESULT_FILES)


@router.get("/batch/{job_id}/{which}")
def batch_file(request: Request, job_id: str, which: str):
    jobs = request.app.state.jobs
    job = jobs.get(job_id)
    path = jobs.file(job, which) if job is not None else None
    if path is None:
        return HTMLResponse(i18n.translator(request_lang(request))("Not found."), 404)
    return FileResponse(path, filename=f"motorsub-{which}{path.suffix}")
