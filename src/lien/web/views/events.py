"""Events: show-up, first-timers' return, conversion both ways, per event and per quarter."""
from __future__ import annotations

from typing import Any

from ..pages import Ctx, page


@page("events", "/events")
def build(ctx: Ctx) -> dict[str, Any]:
    from ...metrics.bridging import bridging
    from ...metrics.events import events
    from ...metrics.sqlcache import stored

    ws, as_of, channel, limit = ctx.ws, ctx.arg("as_of"), ctx.arg("channel"), ctx.int_arg("limit", 24, 1, 1000)
    # stored for the data as it is (as the week page's lists): read back on the next computation
    d = stored(ws, ("events.page", as_of, channel, limit), lambda: events(ws, as_of, channel=channel, limit=limit))
    b1 = stored(ws, ("events.bridging", d["as_of"], channel),
                lambda: bridging(ws, d["as_of"], channel=channel)["quarters"])
    upcoming = ctx.ws.rows("""SELECT id, name, starts_at, place, url, channel FROM events
                              WHERE starts_at >= ?::DATE + 1 ORDER BY starts_at LIMIT 5""", [d["as_of"]])
    return {**d, "upcoming": upcoming, "bridging": b1}
