"""Data of the report (:func:`build`), its HTML (:func:`render`), the file (:func:`write`)."""
from __future__ import annotations

import calendar
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from .. import i18n
from ..errors import MissingExtra, UsageError

HERE = Path(__file__).resolve().parent


def parse_month(month: str | None, ws: Any) -> tuple[date, date]:
    """(first day, last day) of ``YYYY-MM``; by default the last complete month of the data."""
    from ..metrics.base import resolve_as_of

    if month is None:
        return last_complete_month(resolve_as_of(ws))
    try:
        y, m = (int(x) for x in month.split("-"))
        first = date(y, m, 1)
    except ValueError as e:
        raise UsageError(f"--month: expected YYYY-MM, found '{month}'", parameter="month") from e
    return first, date(y, m, calendar.monthrange(y, m)[1])


def last_complete_month(week: date) -> tuple[date, date]:
    """(first day, last day) of the last month whose weeks are all in, as of the week ending on
    Sunday ``week``: a month is complete with its last week ending in it (the month-end week of
    the levels), so the week ending Sunday 29 November completes November."""
    end = week if (week + timedelta(days=7)).month != week.month else week.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end.replace(day=calendar.monthrange(end.year, end.month)[1])


def build(ws: Any, month: str | None = None) -> dict[str, Any]:
    """Everything the report shows for the month (as of its last week) and its quarter."""
    from ..metrics import goals
    from ..metrics.base import week_end
    from ..metrics.bridging import bridging
    from ..metrics.cooling import cooling
    from ..metrics.events import events
    from ..metrics.levels import advocates, levels
    from ..metrics.presence import channels
    from ..metrics.responsiveness import responsiveness

    first, last = parse_month(month, ws)
    # the as-of week: the one holding the month's last day, unless it runs into the next month
    week = week_end(last) if week_end(last).month == last.month else week_end(last) - timedelta(days=7)
    if week < first:
        week = week_end(last)
    q = (first.month - 1) // 3
    quarter = f"{first.year}-Q{q + 1}"
    lv = levels(ws, as_of=week, months=12)["months"]
    month_key = first.strftime("%Y-%m")
    this = next((m for m in lv if m["month"] == month_key), lv[-1] if lv else None)
    flow = this["flow"] if this else {}
    moved_up = _moved_up(ws, week)
    ev = events(ws, week, limit=None)
    month_events = [e for e in ev["events"] if e["starts_at"] and first <= e["starts_at"].date() <= last]
    ch = channels(ws, week)["channels"]
    return {
        "organisation": ws.config.name or "", "month": month_key, "first": first, "last": last, "as_of": week,
        "quarter": quarter,
        "levels": lv, "this_month": this, "flow": flow, "moved_up": moved_up,
        "advocates": advocates(ws, as_of=week)["advocates"],
        "responsiveness": responsiveness(ws, week, months=12),
        "channels": ch, "quiet": [c for c in ch if c["quiet"]],
        "events": {"month": month_events, "quarters": ev["quarters"],
                   "quarter": next((x for x in ev["quarters"] if x["quarter"] == quarter), None),
                   "bridging": next((x for x in bridging(ws, week)["quarters"] if x["quarter"] == quarter), None)},
        "goals": goals.check(ws, week)["goals"],
        "reconnect": cooling(ws, as_of=week, limit=15)["cooling"],
    }


def _moved_up(ws: Any, week: date) -> list[dict[str, Any]]:
    """People whose level rose during the month: their level at the month's last snapshot week
    against the one before the month (the stored weekly snapshots; newcomers are "new" in the
    flow table, not "moved up")."""
    from ..metrics.levels import LEVELS, month_end_weeks

    prev, cur = month_end_weeks(week, 2)
    rows = ws.rows("""
        SELECT s.person_id, p.display_name AS name, b.level AS before, s.level AS now, round(s.pes, 1) AS pes
        FROM score_weeks s JOIN people p ON p.id = s.person_id
        JOIN score_weeks b ON b.person_id = s.person_id AND b.week = ?
        WHERE s.week = ? AND s.role = 'community' AND s.level > b.level
        ORDER BY s.level DESC, s.pes DESC""", [prev, cur])
    return [{**r, "before": LEVELS[r["before"]], "now": LEVELS[r["now"]]} for r in rows]


def render(data: dict[str, Any], lang: str | None = None) -> str:
    """The report as one HTML document: styles and charts inline, no external link needed."""
    try:
        from jinja2 import Environment, FileSystemLoader, select_autoescape
    except ModuleNotFoundError as e:
        raise MissingExtra("jinja2", "web") from e
    from ..web import charts, messages  # noqa: F401  (the dashboard's words and charts)
    from ..web.pages import fmt_date, fmt_month, fmt_num, fmt_pct
    from . import texts  # noqa: F401

    lang = lang or i18n.get_lang()
    env = Environment(loader=FileSystemLoader(str(HERE)), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(fmonth=lambda v: fmt_month(v, lang), fdate=lambda v: fmt_date(v, lang))
    css = (HERE.parent / "web" / "static" / "lien.css").read_text(encoding="utf-8")
    return env.get_template("report.html").render(
        d=data, lang=lang, css=css, charts=charts, today=date.today(),
        t=lambda key, **kw: i18n.t(key, lang=lang, **kw), tn=lambda key, n, **kw: i18n.tn(key, n, lang=lang, **kw),
        date=lambda v: fmt_date(v, lang), month=lambda v: fmt_month(v, lang),
        num=lambda v, digits=1: fmt_num(v, lang, digits), pct=lambda v: fmt_pct(v, lang))


def write(ws: Any, path: str | Path, month: str | None = None, *, lang: str | None = None,
          pdf: bool = False) -> dict[str, Any]:
    """Build and write the report (HTML, or PDF with ``pdf``); returns what was written."""
    lang = lang or i18n.get_lang()
    before = i18n._current
    i18n.set_lang(lang)          # texts made by the library (goal verdicts) in the report's language
    try:
        data = build(ws, month)
    finally:
        i18n.set_lang(before)
    html = render(data, lang)
    path = Path(path)
    if pdf:
        try:
            from weasyprint import HTML  # type: ignore[import-not-found]
        except (ModuleNotFoundError, OSError) as e:
            raise MissingExtra("weasyprint", "pdf") from e
        HTML(string=html).write_pdf(str(path))
    else:
        path.write_text(html, encoding="utf-8")
    return {"path": str(path), "month": data["month"], "as_of": data["as_of"], "bytes": path.stat().st_size,
            "format": "pdf" if pdf else "html"}
