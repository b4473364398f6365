"""One person: score explained and why it changed, one timeline across channels, ties, dialogue."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from ..pages import Ctx, page


LIGHT = ("like", "share", "follow")


def _timeline(ws: Any, pid: str, n: int, light: bool) -> dict[str, Any]:
    """The person's acts, newest first (of their 5,000 newest); likes, shares and follows only
    when asked (they are counted instead, so the conversation stays readable)."""
    from ...identity.decisions import timeline_page

    t = timeline_page(ws, pid, n=n, hidden=() if light else LIGHT, counted=LIGHT, window=5000)
    return {"acts": t["acts"], "total": t["total"], "light": t["counted"], "with_light": light}


@page("person", "/person/{pid}", nav=False)
def build(ctx: Ctx) -> dict[str, Any]:
    from ...identity import identities_of
    from ...metrics.persons import person
    from ...metrics.responsiveness import dialogue
    from ...metrics.ties import ties

    ws, pid = ctx.ws, ctx.path_params["pid"]
    p = person(ws, pid, as_of=ctx.arg("as_of"))
    pid, week = p["person_id"], p["as_of"]
    history = ws.rows("""SELECT week, round(pes, 1) AS pes, level FROM score_weeks
                         WHERE person_id = ? AND week > ?::DATE - 365 AND week <= ? ORDER BY week""",
                      [pid, week, week - timedelta(days=6)])
    return {
        "as_of": week, "person": p,
        "history": history,
        "timeline": _timeline(ws, pid, ctx.int_arg("acts", 60, 1, 5000), ctx.arg("light") == "1"),
        "ties": ties(ws, pid, as_of=week, limit=12)["ties"],
        "dialogue": dialogue(ws, pid, week),
        "identities": identities_of(ws, pid)["identities"],
        "weights": ws.config.model["weights"],
    }
