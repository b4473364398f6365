"""Events: show-up, first-timers' return, conversion both ways, per event and per quarter."""
from __future__ import annotations

from typing import Any

from ..pages import Ctx, page


@page("events", "/events")
def build(ctx: Ctx) -> dict[str, Any]:
    from ...metrics.bridging import bridging
    from ...metrics.events import events

    d = events(ctx.ws, ctx.arg("as_of"), channel=ctx.arg("channel"), limit=ctx.int_arg("limit", 24, 1, 1000))
    b1 = bridging(ctx.ws, d["as_of"], channel=ctx.arg("channel"))["quarters"]
    upcoming = ctx.ws.rows("""SELECT id, name, starts_at, place, url, channel FROM events
                              WHERE starts_at >= ?::DATE + 1 ORDER BY starts_at LIMIT 5""", [d["as_of"]])
    return {**d, "upcoming": upcoming, "bridging": b1}
