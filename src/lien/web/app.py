"""The FastAPI application: pages and their JSON twins, actions, login, errors, guards."""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from datetime import date
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlencode

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from .. import jsonio
from ..metrics import sqlcache
from .. import i18n
from ..errors import LienError, NotFound, UsageError
from . import charts, messages, security  # noqa: F401  (messages registers the texts)
from .pages import ACTIONS, PAGES, Ctx, days_ago, fmt_date, fmt_month, fmt_num, fmt_pct

HERE = Path(__file__).resolve().parent
LANG_COOKIE = "lien_lang"


# ------------------------------------------------------------------------------------------
# JSON and the one error shape

def json_bytes(data: Any) -> bytes:
    return jsonio.dumps(data)


def json_response(data: Any, status: int = 200) -> Response:
    return Response(json_bytes(data), status_code=status, media_type="application/json")


def error_body(status: int, code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """The one JSON error shape of the dashboard (pinned by tests/test_web_security.py)."""
    return {"error": {"status": status, "code": code, "message": message, "details": details or {}}}


def _status_of(e: LienError) -> int:
    if isinstance(e, NotFound):
        return 404
    if isinstance(e, UsageError):
        return 400
    return 500 if not e.retry else 503


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "").split(",")[0]


# ------------------------------------------------------------------------------------------
# the page cache

class PageCache:
    """Built page data, reused until something changes. While ``lien serve`` runs it holds the
    DuckDB file (one writer), so only the server's own actions change the data: every action
    clears the cache; keys carry the day (the default week moves on Mondays). It has its own
    lock: a page already built is answered while another one is being built."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self.data: OrderedDict[Any, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> dict[str, Any] | None:
        with self._lock:
            v = self.data.get(key)
            if v is not None:
                self.data.move_to_end(key)
            return v

    def put(self, key: Any, value: dict[str, Any]) -> None:
        with self._lock:
            self.data[key] = value
            while len(self.data) > self.size:
                self.data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self.data.clear()


def run_in_lang(lang: str, fn: Callable[..., Any], *args: Any) -> Any:
    """Run a library call with ``lang`` as the current language (the texts it makes, such as a
    goal's explanation, follow the page's language); callers hold the workspace lock."""
    before = i18n._current
    i18n.set_lang(lang)
    try:
        return fn(*args)
    finally:
        i18n.set_lang(before)


# ------------------------------------------------------------------------------------------
# language

def pick_lang(request: Request) -> str:
    q = request.query_params.get("lang")
    if q in i18n.LANGS:
        return q
    c = request.cookies.get(LANG_COOKIE)
    if c in i18n.LANGS:
        return c
    best, best_q = "en", -1.0
    for part in request.headers.get("accept-language", "").split(","):
        bits = part.strip().split(";")
        tag = bits[0].strip().lower()[:2]
        qv = 1.0
        for b in bits[1:]:
            if b.strip().startswith("q="):
                try:
                    qv = float(b.strip()[2:])
                except ValueError:
                    qv = 0.0
        if tag in i18n.LANGS and qv > best_q:
            best, best_q = tag, qv
    return best


# ------------------------------------------------------------------------------------------

def create_app(workspace: Any, *, host: str = "127.0.0.1", password: str | None = None, token: str | None = None,
               trusted_hosts: list[str] | None = None) -> FastAPI:
    """The dashboard over ``workspace`` (a path or an open Workspace). ``host`` is the address the
    server binds (a non-loopback one needs ``password`` or ``token``); ``trusted_hosts`` the Host
    names accepted (default: loopback names and ``host``)."""
    from ..workspace import Workspace
    from . import views  # noqa: F401  (registers the pages)

    security.check_bind(host, password=password, token=token)
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    guard = security.Guard(password=password, token=token)
    lock = threading.RLock()
    cache = PageCache()

    env = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(charts=charts, nav=[p for p in PAGES if p.nav])
    env.filters.update(fmonth=pass_context(lambda c, v: fmt_month(v, c.get("lang", "en"))),
                       fdate=pass_context(lambda c, v: fmt_date(v, c.get("lang", "en"))),
                       fnum=pass_context(lambda c, v, digits=1: fmt_num(v, c.get("lang", "en"), digits)),
                       safe_url=safe_url)

    app = FastAPI(title="lien", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.ws, app.state.guard, app.state.lock, app.state.env, app.state.cache = ws, guard, lock, env, cache
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=trusted_hosts or security.allowed_hosts(host))
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    # -- rendering -----------------------------------------------------------------------
    def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        lang = request.state.lang
        as_of = context.get("d", {}).get("as_of") if isinstance(context.get("d"), dict) else None

        def t(key: str, **kw: Any) -> str:
            return i18n.t(key, lang=lang, **kw)

        def lang_url(code: str) -> str:
            q = dict(request.query_params)
            q["lang"] = code
            return f"{request.url.path}?{urlencode(q)}"

        today = as_of if isinstance(as_of, date) else date.today()
        html = env.get_template(template).render(
            t=t, lang=lang, csrf=request.state.csrf, path=request.url.path, query=dict(request.query_params),
            org=ws.config.name or "", lang_url=lang_url, authed=guard.required,
            date=lambda v, time=False: fmt_date(v, lang, time=time), month=lambda v: fmt_month(v, lang),
            num=lambda v, digits=1: fmt_num(v, lang, digits), pct=lambda v: fmt_pct(v, lang),
            ago=lambda v: days_ago(v, today, lang), qs=lambda **kw: _qs(request, **kw), **context)
        return HTMLResponse(html, status_code=status)

    def error_response(request: Request, status: int, code: str, message: str,
                       details: dict[str, Any] | None = None) -> Response:
        if wants_json(request):
            return json_response(error_body(status, code, message, details), status)
        if not hasattr(request.state, "lang"):
            request.state.lang, request.state.csrf = "en", ""
        return render(request, "error.html", status=status, err=error_body(status, code, message, details)["error"])

    # -- middleware: language, login, CSRF cookie, headers --------------------------------
    @app.middleware("http")
    async def guards(request: Request, call_next: Callable[[Request], Any]) -> Response:
        request.state.lang = pick_lang(request)
        csrf = request.cookies.get(security.CSRF_COOKIE)
        new_csrf = None if csrf else security.new_csrf()
        request.state.csrf = csrf or new_csrf
        path = request.url.path
        response: Response
        if guard.required and not path.startswith("/static/") and path not in ("/login",):
            tok = request.query_params.get("token")
            if guard.check_token(tok):
                q = {k: v for k, v in request.query_params.items() if k != "token"}
                response = RedirectResponse(path + (f"?{urlencode(q)}" if q else ""), status_code=303)
                response.set_cookie(security.SESSION_COOKIE, guard.session_value(), httponly=True, samesite="strict")
            elif not guard.is_authenticated(request.cookies, request.headers):
                if wants_json(request):
                    response = json_response(error_body(401, "unauthorized", "log in first: a session cookie, "
                                                        "or Authorization: Bearer TOKEN"), 401)
                else:
                    response = RedirectResponse("/login?" + urlencode({"next": path}), status_code=303)
            else:
                response = await call_next(request)
        else:
            response = await call_next(request)
        if new_csrf:
            response.set_cookie(security.CSRF_COOKIE, new_csrf, httponly=False, samesite="strict")
        if request.query_params.get("lang") in i18n.LANGS:
            response.set_cookie(LANG_COOKIE, request.state.lang, samesite="lax", max_age=365 * 86400)
        for k, v in security.HEADERS.items():
            response.headers.setdefault(k, v)
        return response

    # -- errors ------------------------------------------------------------------------------
    @app.exception_handler(LienError)
    async def lien_error(request: Request, e: LienError) -> Response:
        details = {k: v for k, v in e.to_dict().items() if k not in ("error", "message")}
        return error_response(request, _status_of(e), e.code, e.message, details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, e: StarletteHTTPException) -> Response:
        codes = {404: "not_found", 405: "method_not_allowed", 403: "forbidden", 401: "unauthorized"}
        msg = e.detail if isinstance(e.detail, str) else str(e.detail)
        if e.status_code == 404 and msg == "Not Found":
            msg = f"no page at {request.url.path}"
        return error_response(request, e.status_code, codes.get(e.status_code, "http"), msg)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, e: RequestValidationError) -> Response:
        return error_response(request, 400, "usage", "bad request", {"problems": [str(x.get("msg")) for x in e.errors()]})

    @app.exception_handler(Exception)
    async def crash(request: Request, e: Exception) -> Response:
        return error_response(request, 500, "internal", f"{type(e).__name__}: {e}")

    # -- pages ----------------------------------------------------------------------------------
    def ctx_of(request: Request, form: dict[str, str] | None = None) -> Ctx:
        return Ctx(ws=ws, lang=request.state.lang, query=dict(request.query_params),
                   path_params=dict(request.path_params), form=form or {})

    def build_data(page: Any, path_params: dict[str, str], query: dict[str, str], lang: str) -> dict[str, Any]:
        key = (page.name, tuple(sorted(path_params.items())),
               tuple(sorted((k, v) for k, v in query.items() if k != "lang")), lang, date.today())
        hit = cache.get(key)  # without waiting for a page being built (the warming, another visit)
        if hit is not None:
            return hit
        with lock:
            hit = cache.get(key)
            if hit is not None:
                return hit
            ctx = Ctx(ws=ws, lang=lang, query=query, path_params=path_params)
            with sqlcache.shared(ws):  # tables a page asks for several times are computed once
                data = run_in_lang(lang, page.build, ctx)
            cache.put(key, data)
            return data

    def build(page: Any, request: Request) -> dict[str, Any]:
        return build_data(page, dict(request.path_params), dict(request.query_params), request.state.lang)

    def warm(lang: str) -> None:
        """Build the navigation pages once (a first visit then answers from the cache)."""
        for p in PAGES:
            if p.nav:
                try:
                    build_data(p, {}, {}, lang)
                except Exception as e:  # noqa: BLE001  the page shows its error when visited
                    logging.getLogger("lien.web").warning("warming %s failed: %s", p.path, e)

    def warm_later(lang: str) -> None:
        """:func:`warm` in the background (``lien serve`` after each action, when
        ``app.state.warm_after_actions`` is set): the next visit finds the pages built."""
        if app.state.warm_after_actions:
            threading.Thread(target=warm, args=(lang,), daemon=True, name="lien-warm").start()

    app.state.warm = warm
    app.state.warm_after_actions = False

    for page in PAGES:
        def html_view(request: Request, _p: Any = page) -> Response:
            return render(request, f"{_p.name}.html", d=build(_p, request), page=_p.name)

        def json_view(request: Request, _p: Any = page) -> Response:
            return json_response(build(_p, request))

        app.add_api_route(page.path, html_view, methods=["GET"], response_class=HTMLResponse, name=page.name)
        app.add_api_route(page.api_path, json_view, methods=["GET"], name=f"api_{page.name}")

    # -- actions (state-changing, CSRF-checked) ---------------------------------------------
    async def checked_form(request: Request) -> dict[str, str]:
        """The submitted fields, after the CSRF checks; raises 403 otherwise."""
        if not security.origin_ok(request.headers.get("origin"), request.headers.get("host")):
            raise StarletteHTTPException(403, "cross-site request refused (Origin does not match)")
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("application/json"):
            body = await request.body()
            try:
                form = {str(k): "" if v is None else str(v) for k, v in orjson.loads(body or b"{}").items()}
            except (orjson.JSONDecodeError, AttributeError) as e:
                raise UsageError("the request body is not a JSON object") from e
        else:
            form = {k: str(v) for k, v in (await request.form()).items()}
        sent = request.headers.get(security.CSRF_HEADER) or form.pop(security.CSRF_FIELD, None)
        if not security.csrf_ok(request.cookies.get(security.CSRF_COOKIE), sent):
            raise StarletteHTTPException(403, "missing or wrong CSRF token: reload the page and try again")
        return form

    for act in ACTIONS:
        async def html_action(request: Request, _a: Any = act) -> Response:
            form = await checked_form(request)
            with lock:
                cache.clear()
                result = run_in_lang(request.state.lang, _a.run, ctx_of(request, form))
            warm_later(request.state.lang)
            return RedirectResponse(_safe_next(form.get("next") or result.get("redirect") or "/"), status_code=303)

        async def json_action(request: Request, _a: Any = act) -> Response:
            form = await checked_form(request)
            with lock:
                cache.clear()
                answer = json_response(run_in_lang(request.state.lang, _a.run, ctx_of(request, form)))
            warm_later(request.state.lang)
            return answer

        app.add_api_route(act.path, html_action, methods=["POST"], name=act.name)
        app.add_api_route("/api" + act.path, json_action, methods=["POST"], name=f"api_{act.name}")

    # -- login -------------------------------------------------------------------------------
    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> Response:
        return render(request, "login.html", next=_safe_next(request.query_params.get("next") or "/"), failed=False)

    @app.post("/login")
    async def login(request: Request) -> Response:
        form = await checked_form(request)
        nxt = _safe_next(form.get("next") or "/")
        if guard.check_password(form.get("password")):
            r = RedirectResponse(nxt, status_code=303)
            r.set_cookie(security.SESSION_COOKIE, guard.session_value(), httponly=True, samesite="strict")
            return r
        return render(request, "login.html", status=401, next=nxt, failed=True)

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        await checked_form(request)
        r = RedirectResponse("/login" if guard.required else "/", status_code=303)
        r.delete_cookie(security.SESSION_COOKIE)
        return r

    return app


def safe_url(url: Any) -> str:
    """An imported link, only when it is http(s) or mailto (never javascript: or data:)."""
    u = str(url or "").strip()
    return u if u.lower().startswith(("http://", "https://", "mailto:")) else ""


def _safe_next(url: str) -> str:
    """Only local paths (no open redirect)."""
    return url if url.startswith("/") and not url.startswith("//") and "\\" not in url else "/"


def _qs(request: Request, **changes: Any) -> str:
    """The current query string with some parameters changed (None removes one)."""
    q = dict(request.query_params)
    q.pop("lang", None)
    for k, v in changes.items():
        if v is None or v == "":
            q.pop(k, None)
        else:
            q[k] = str(v)
    return request.url.path + (("?" + urlencode(q)) if q else "")
