"""Goals: each objective's value, pace and verdict, its progress over time; create and edit."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ...errors import UsageError
from ..pages import Ctx, action, page

#: points of the progress chart: the value at the end of each of these past months
HISTORY_MONTHS = 6
#: with more goals than this, a goal's history is computed when asked (?history=ID): each point
#: is one measurement of the indicator, and a page should not wait for dozens of them
HISTORY_ALWAYS = 3


def _history(ws: Any, g: dict[str, Any], week: date) -> list[dict[str, Any]]:
    from ...metrics import goals as lib
    from ...metrics.levels import month_end_weeks

    points = []
    for monday in month_end_weeks(week, HISTORY_MONTHS):   # each month's last snapshot week, this one last
        d = monday + timedelta(days=6)
        v, _basis = lib.value(ws, g["metric"], d, g["scope"])
        points.append({"week": d, "value": v})
    return points


@page("goals", "/goals")
def build(ctx: Ctx) -> dict[str, Any]:
    from ...metrics import goals as lib

    checked = lib.check(ctx.ws, ctx.arg("as_of"))
    week = checked["as_of"]
    asked = ctx.arg("history")
    many = len(checked["goals"]) > HISTORY_ALWAYS
    goals = [{**g, "history": _history(ctx.ws, g, min(week, g["checked_at"]))
              if not many or asked == str(g["id"]) else None} for g in checked["goals"]]
    indicators = [{"code": code, "name": ctx.t(f"goals.name.{code}"), "unit": i.unit, "comparison": i.comparison,
                   "default_target": i.default_target, "relative": i.relative}
                  for code, i in lib.INDICATORS.items()]
    return {"as_of": week, "goals": goals, "indicators": indicators, "comparisons": list(lib.COMPARISONS),
            "edit": ctx.int_arg("edit", 0, 0, 10**9) or None}


def _float(v: str | None, what: str) -> float | None:
    if v is None or v.strip() == "":
        return None
    try:
        return float(v.replace(",", "."))
    except ValueError as e:
        raise UsageError(f"{what}: expected a number, found '{v}'", parameter=what) from e


@action("goal_add", "/goals/add")
def add(ctx: Ctx) -> dict[str, Any]:
    from ...metrics import goals as lib

    f = ctx.form
    if f.get("defaults"):
        res = lib.add_defaults(ctx.ws, f.get("deadline") or None)
        return {**res, "redirect": "/goals"}
    g = lib.add(ctx.ws, f.get("metric", ""), _float(f.get("target"), "target"), f.get("deadline") or None,
                scope=f.get("scope") or None, comparison=f.get("comparison") or None, note=f.get("note") or None)
    return {"added": [g], "skipped": [], "redirect": "/goals"}


@action("goal_edit", "/goals/{gid}/edit")
def edit(ctx: Ctx) -> dict[str, Any]:
    from ...metrics import goals as lib

    gid = int(ctx.path_params["gid"])
    f = ctx.form
    update = getattr(lib, "update", None) or _update
    g = update(ctx.ws, gid, target=_float(f.get("target"), "target"), deadline=f.get("deadline") or None,
               comparison=f.get("comparison") or None, note=f.get("note"))
    return {"goal": g, "redirect": "/goals"}


@action("goal_remove", "/goals/{gid}/remove")
def remove(ctx: Ctx) -> dict[str, Any]:
    from ...metrics import goals as lib

    gid = int(ctx.path_params["gid"])
    lib.remove(ctx.ws, gid)
    return {"removed": gid, "redirect": "/goals"}


def _update(ws: Any, gid: int, *, target: float | None = None, deadline: str | None = None,
            comparison: str | None = None, note: str | None = None) -> dict[str, Any]:
    """Change a goal's target, deadline, comparison or note (until lien.metrics.goals has its own)."""
    from ...metrics import goals as lib
    from ...metrics.base import parse_date

    lib.get(ws, gid)
    if comparison is not None and comparison not in lib.COMPARISONS:
        raise UsageError(f"comparison: expected one of {', '.join(lib.COMPARISONS)}, found '{comparison}'")
    sets, params = [], []
    for col, v in (("target", target), ("deadline", parse_date(deadline, "deadline") if deadline else None),
                   ("comparison", comparison), ("note", note)):
        if v is not None:
            sets.append(f"{col} = ?")
            params.append(v)
    if sets:
        with ws.transaction():
            ws.con.execute(f"UPDATE goals SET {', '.join(sets)} WHERE id = ?", [*params, gid]).fetchall()
    return lib.get(ws, gid)
