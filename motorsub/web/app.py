"""The counter's FastAPI app: pages (``/quote``, ``/quote/print``, ``/batch``,
``/schemes``), the JSON API (``/api/...``, documented at ``/docs``) and what keeps it safe
(token, size limits, Content-Security-Policy)."""

from __future__ import annotations

import contextlib
import hmac
import json
from dataclasses import dataclass, field

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from motorsub import i18n
from motorsub.web.jobs import Jobs
from motorsub.web.quoting import HERE, LANG_COOKIE, request_lang

TOKEN_COOKIE = "motorsub_token"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
#: /docs loads Swagger UI, which FastAPI takes from a CDN with an inline start script
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: https:; "
    "object-src 'none'; frame-ancestors 'none'"
)
MIB = 1 << 20


@dataclass
class Config:
    """How one server runs (``motorsub serve``'s options)."""

    token: str | None = None
    jobs: int = 2  # batch jobs at once
    max_upload: int = 200 * MIB  # [bytes] an uploaded file
    max_body: int = 1 * MIB  # [bytes] any other request body
    scheme_paths: list = field(default_factory=list)
    valid_days: int = 30  # a printed quote's validity, the shop's choice


class BodyLimit:
    """Refuse (413) a request body larger than its limit, counted as it arrives."""

    def __init__(self, app, config: Config):
        self.app, self.config = app, config

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        upload = scope["path"] in ("/batch", "/api/compute")
        limit = self.config.max_upload + 64 * 1024 if upload else self.config.max_body
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > limit:
            return await _too_large(scope, send, limit, upload)
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await _too_large(scope, send, limit, upload)


class _TooLarge(Exception):
    pass


async def _too_large(scope, send, limit, upload):
    lang = _lang_from_scope(scope)
    _ = i18n.translator(lang)
    what = _("The file is too large") if upload else _("The request is too large")
    text = _("{what}: at most {mb} MB.").format(what=what, mb=f"{limit / MIB:.0f}")
    body = json.dumps({"detail": [{"field": "file", "reason": text}]}, ensure_ascii=False)
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-security-policy", CSP.encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})


def _lang_from_scope(scope) -> str:
    from urllib.parse import parse_qs

    q = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [""])[0]
    return q if q in i18n.LANGS else "zh"


def _token_ok(request: Request, token: str) -> bool:
    given = (
        request.headers.get("x-motorsub-token")
        or request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        or request.query_params.get("token")
        or request.cookies.get(TOKEN_COOKIE)
        or ""
    )
    return hmac.compare_digest(given.encode(), token.encode())


def create_app(config: Config | None = None) -> FastAPI:
    """The counter's app; ``config`` says the token, the limits and the schemes."""
    from motorsub.model.profile import load_profile
    from motorsub.model.schemes import load_schemes

    config = config or Config()

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        app.state.jobs.close()

    app = FastAPI(
        lifespan=lifespan,
        title="motorsub counter",
        description="Price China's high-efficiency motor subsidies at the counter.",
        version="1",
        redoc_url=None,
    )
    app.state.config = config
    app.state.schemes = load_schemes(list(config.scheme_paths) or None)
    app.state.profile = load_profile(None)
    app.state.jobs = Jobs(config.jobs, config.scheme_paths)

    @app.middleware("http")
    async def guard(request: Request, call_next):
        _ = i18n.translator(request_lang(request))
        if config.token and not _token_ok(request, config.token):
            text = _("This counter needs its access token (the one motorsub serve was "
                     "started with): open the page with ?token=… or send the header "
                     "X-Motorsub-Token.")  # fmt: skip
            response = JSONResponse({"detail": [{"field": "token", "reason": text}]}, 401)
        else:
            response = await call_next(request)
            if config.token and request.query_params.get("token"):
                response.set_cookie(TOKEN_COOKIE, config.token, httponly=True, samesite="strict")
            if request.query_params.get("lang") in i18n.LANGS:
                response.set_cookie(
                    LANG_COOKIE, request.query_params["lang"], samesite="lax", max_age=31536000
                )
        docs = request.url.path in ("/docs", "/docs/oauth2-redirect")
        response.headers["Content-Security-Policy"] = DOCS_CSP if docs else CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        _ = i18n.translator(request_lang(request))
        detail = [
            {
                "field": ".".join(str(x) for x in e.get("loc", ())[1:]) or "body",
                "reason": _("not accepted: a JSON object of the quote's fields is expected"),
            }
            for e in exc.errors()
        ]
        return JSONResponse({"detail": detail}, 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        _ = i18n.translator(request_lang(request))
        words = {404: _("Not found."), 405: _("This method is not allowed here.")}
        text = words.get(exc.status_code, str(exc.detail))
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": [{"field": "", "reason": text}]}, exc.status_code)
        return PlainTextResponse(text, exc.status_code)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):  # a fault of ours, never shown
        _ = i18n.translator(request_lang(request))
        return PlainTextResponse(_("Something went wrong on the server."), 500)

    from motorsub.web import api, pages

    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/", include_in_schema=False)
    def home():
        return RedirectResponse("/quote")

    app.add_middleware(BodyLimit, config=config)
    return app
