"""What every page shares: the request context handed to a view, and the page registry.

A view module defines ``build(ctx) -> dict`` (the JSON twin, plain data from library calls)
and registers one :class:`Page`; the app serves ``path`` as HTML (``template`` rendering the
same dict as ``d``) and ``/api`` + ``path`` as JSON.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable

from .. import i18n


@dataclass
class Ctx:
    """One request as a view sees it."""

    ws: Any
    lang: str
    query: dict[str, str]
    path_params: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)

    def t(self, key: str, **fields: Any) -> str:
        return i18n.t(key, lang=self.lang, **fields)

    def arg(self, name: str, default: str | None = None) -> str | None:
        v = self.query.get(name)
        return v.strip() if v is not None and v.strip() != "" else default

    def int_arg(self, name: str, default: int, lo: int = 0, hi: int = 10_000) -> int:
        from ..errors import UsageError

        v = self.arg(name)
        if v is None:
            return default
        try:
            n = int(v)
        except ValueError as e:
            raise UsageError(f"{name}: expected a whole number, found '{v}'", parameter=name) from e
        return max(lo, min(hi, n))


@dataclass
class Page:
    name: str                       # "people": the template is people.html, the nav key web.nav.people
    path: str                       # "/people" or "/person/{pid}"
    build: Callable[[Ctx], dict[str, Any]]
    nav: bool = True                # shown in the navigation bar

    @property
    def api_path(self) -> str:
        return "/api" + (self.path if self.path != "/" else "/week")


@dataclass
class Action:
    """A state-changing request (POST, CSRF-checked): ``run(ctx)`` reads ``ctx.form`` and returns
    a dict (the JSON answer; ``redirect`` is where a browser form goes next)."""

    name: str
    path: str
    run: Callable[[Ctx], dict[str, Any]]


PAGES: list[Page] = []
ACTIONS: list[Action] = []


def page(name: str, path: str, *, nav: bool = True) -> Callable[[Callable[[Ctx], dict[str, Any]]], Any]:
    """Decorator registering a view's ``build`` function."""
    def deco(fn: Callable[[Ctx], dict[str, Any]]) -> Callable[[Ctx], dict[str, Any]]:
        PAGES.append(Page(name, path, fn, nav))
        return fn
    return deco


def action(name: str, path: str) -> Callable[[Callable[[Ctx], dict[str, Any]]], Any]:
    def deco(fn: Callable[[Ctx], dict[str, Any]]) -> Callable[[Ctx], dict[str, Any]]:
        ACTIONS.append(Action(name, path, fn))
        return fn
    return deco


# ------------------------------------------------------------------------------------------
# formatting (Jinja filters; also used by the report)

MONTHS = {
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    "fr": ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."],
}


def fmt_date(v: Any, lang: str = "en", *, time: bool = False) -> str:
    if v is None or v == "":
        return ""
    if isinstance(v, str):
        try:
            v = datetime.fromisoformat(v)
        except ValueError:
            return v
    m = MONTHS.get(lang, MONTHS["en"])[v.month - 1]
    s = f"{v.day} {m} {v.year}" if lang == "fr" else f"{v.day} {m} {v.year}"
    if time and isinstance(v, datetime):
        s += f" {v:%H:%M}"
    return s


def fmt_month(v: Any, lang: str = "en") -> str:
    """'2026-11' as 'Nov 2026' / 'nov. 2026'."""
    if not v:
        return ""
    y, m = str(v)[:7].split("-")
    return f"{MONTHS.get(lang, MONTHS['en'])[int(m) - 1]} {y}"


def fmt_num(v: Any, lang: str = "en", digits: int = 1) -> str:
    if v is None:
        return "—"
    if isinstance(v, int) and not isinstance(v, bool):
        s = f"{v:,}"
        return s.replace(",", "\u202f") if lang == "fr" else s
    s = f"{float(v):,.{digits}f}"
    if lang == "fr":
        s = s.replace(",", "\u202f").replace(".", ",")
    return s


def fmt_pct(v: Any, lang: str = "en") -> str:
    return "—" if v is None else fmt_num(v, lang, 0) + ("\u202f%" if lang == "fr" else "%")


def days_ago(v: Any, today: date, lang: str = "en") -> str:
    """'today', 'yesterday', '3 days ago', '2 weeks ago', 'il y a 3 jours'."""
    if v is None:
        return ""
    d = v.date() if isinstance(v, datetime) else v
    n = (today - d).days
    if n <= 0:
        return i18n.t("web.today", lang=lang)
    if n == 1:
        return i18n.t("web.yesterday", lang=lang)
    if n < 14:
        return i18n.t("web.days_ago", lang=lang, n=n)
    if n < 70:
        return i18n.t("web.weeks_ago", lang=lang, n=n // 7)
    return i18n.t("web.months_ago", lang=lang, n=round(n / 30.4))
