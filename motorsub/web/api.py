"""The JSON API: ``POST /api/quote``, ``POST /api/compare``, ``POST /api/compute``,
``GET /api/schemes`` and ``GET /api/jobs/{id}``; bad input gets 4xx naming the field and
the reason in the request's language (``?lang=`` or Accept-Language), never a 500."""

from __future__ import annotations

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from motorsub.web.quoting import (
    form_values,
    problems_json,
    request_lang,
    run_quote,
    save_upload,
    wait_for,
)

router = APIRouter(prefix="/api", tags=["api"])
Value = str | float | int | bool | None


class QuoteBody(BaseModel):
    """The fields of ``motorsub quote``, by the names of its options with ``_``. Values
    may be numbers or text; the engine checks them and names the field of any it cannot
    take."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "motor_type": "lv_async", "kw": 11, "poles": 4, "grade": 2, "trade_in": True,
                "old_kw": 11, "old_efficiency": 87.6, "region": "CN-SH", "date": "2013-06-01",
                "hours": 4000, "load": 0.75, "tariff": 0.8, "price": 3800,
            }
        }
    )  # fmt: skip
    motor_type: Value = Field(None, description="lv_async, hv_async or pm_sync")
    kw: Value = Field(None, description="rated output of one motor [kW]")
    grade: Value = Field(None, description="GB 18613 grade, 1 best (lv_async)")
    kind: Value = Field(None, description="new or reman")
    qty: Value = None
    trade_in: Value = Field(None, description="an old motor handed to a recycler")
    old_kw: Value = None
    old_qty: Value = None
    region: Value = Field(None, description="ISO 3166-2 code, e.g. CN-SH")
    date: Value = Field(None, description="sale date, YYYY-MM-DD")
    price: Value = Field(None, description="list price of one motor [CNY]")
    poles: Value = None
    efficiency: Value = None
    old_efficiency: Value = None
    old_series: Value = None
    old_poles: Value = None
    hours: Value = None
    load: Value = None
    tariff: Value = Field(None, description="electricity price [CNY/kWh]")


class CompareBody(QuoteBody):
    repair_cost: Value = Field(None, description="repair or rewind of the old motor [CNY]")
    reman_price: Value = Field(None, description="list price of one remanufactured motor")


def _lang(request: Request) -> str:
    return request_lang(request)


def _answer(request: Request, body: BaseModel, compare: bool):
    result, problems = run_quote(request, form_values(body.model_dump()), compare)
    if problems:
        return JSONResponse({"detail": problems_json(problems, _lang(request))}, 422)
    return JSONResponse(result.to_dict())  # plain data already: no jsonable_encoder pass


# ``async``: a quote takes milliseconds of CPU, less than a hop to the thread pool costs
@router.post("/quote")
async def api_quote(request: Request, body: QuoteBody):
    """Price one sale line: the same JSON as ``motorsub quote --json``."""
    return _answer(request, body, False)


@router.post("/compare")
async def api_compare(request: Request, body: CompareBody):
    """A new motor, a remanufactured one and keeping the old motor, side by side: the
    same JSON as ``motorsub quote --compare --json``."""
    return _answer(request, body, True)


@router.post("/compute")
async def api_compute(request: Request, file: UploadFile = File(...)):  # noqa: B008
    """Compute an uploaded file as ``motorsub compute`` reads it; the summary and links
    to the results, the rejects and the summary."""
    job_id, problem, status = await save_upload(request, file, _lang(request))
    if problem:
        return JSONResponse({"detail": [problem]}, status)
    state = await wait_for(request, job_id)
    return _job_json(job_id, state)


@router.get("/jobs/{job_id}")
def api_job(request: Request, job_id: str):
    """A batch job's state, and links to its files once done."""
    job = request.app.state.jobs.get(job_id)
    if job is None:
        return JSONResponse({"detail": [{"field": "job_id", "reason": "unknown job"}]}, 404)
    return _job_json(job_id, job.state())


def _job_json(job_id: str, state: dict) -> dict:
    from motorsub.web.jobs import RESULT_FILES

    out = {"job": job_id, **state}
    if state["status"] == "done":
        out["files"] = {k: f"/batch/{job_id}/{k}" for k in RESULT_FILES}
    return out


@router.get("/schemes")
def api_schemes(request: Request):
    """Every scheme, version, component, scope and rate with its source and status."""
    return _finite(
        [s.model_dump(mode="json", by_alias=True) for s in request.app.state.schemes.schemes]
    )


def _finite(x):
    """JSON has no infinity: an open power bound is written ``"inf"``."""
    if isinstance(x, float) and x != x:
        return None
    if isinstance(x, float) and x in (float("inf"), float("-inf")):
        return "inf" if x > 0 else "-inf"
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_finite(v) for v in x]
    return x
