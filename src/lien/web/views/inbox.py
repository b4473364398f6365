"""Inbox: what waits for our reply, and how fast we answer (R1–R3)."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ..pages import Ctx, page
from .people import channel_list


@page("inbox", "/inbox")
def build(ctx: Ctx) -> dict[str, Any]:
    from ...metrics.base import RECENT_DAYS, resolve_as_of
    from ...metrics.responsiveness import inbox, responsiveness
    from ...metrics.sqlcache import stored

    ws, channel, limit = ctx.ws, ctx.arg("channel"), ctx.int_arg("limit", 100, 1, 5000)
    days = ctx.int_arg("days", 0, 0, 36_500) or None  # what came in over the last N days (none: all)
    week = resolve_as_of(ws, ctx.arg("as_of"))

    def since(n: int | None) -> date | None:
        return week - timedelta(days=n - 1) if n else None  # as the week page's "to answer" (28 days)

    # stored for the data as it is (as the week page's lists): read back on the next computation
    box = stored(ws, ("inbox.page", week, channel, limit, days),
                 lambda: inbox(ws, week, channel=channel, since=since(days), limit=limit))
    periods = [{"days": n, "n": box["total"] if n == days else stored(
                   ws, ("inbox.total", week, channel, n),
                   lambda n=n: inbox(ws, week, channel=channel, since=since(n), limit=1)["total"])}
               for n in (RECENT_DAYS, 90, None)]
    if days not in (RECENT_DAYS, 90, None):
        periods.insert(0, {"days": days, "n": box["total"]})
    resp = stored(ws, ("inbox.responsiveness", box["as_of"], channel, 12),
                  lambda: responsiveness(ws, box["as_of"], channel=channel, months=12))
    return {"as_of": box["as_of"], "channel": channel, "days": days, "since": since(days), "periods": periods,
            "total": box["total"], "items": box["items"], "people": box["people"], "responsiveness": resp,
            "channels": channel_list(ws)}
