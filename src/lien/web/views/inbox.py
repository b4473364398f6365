"""Inbox: what waits for our reply, and how fast we answer (R1–R3)."""
from __future__ import annotations

from typing import Any

from ..pages import Ctx, page
from .people import channel_list


@page("inbox", "/inbox")
def build(ctx: Ctx) -> dict[str, Any]:
    from ...metrics.responsiveness import inbox, responsiveness
    from ...metrics.sqlcache import stored

    ws, as_of, channel, limit = ctx.ws, ctx.arg("as_of"), ctx.arg("channel"), ctx.int_arg("limit", 100, 1, 5000)
    # stored for the data as it is (as the week page's lists): read back on the next computation
    box = stored(ws, ("inbox.page", as_of, channel, limit), lambda: inbox(ws, as_of, channel=channel, limit=limit))
    resp = stored(ws, ("inbox.responsiveness", box["as_of"], channel, 12),
                  lambda: responsiveness(ws, box["as_of"], channel=channel, months=12))
    return {"as_of": box["as_of"], "channel": channel, "total": box["total"], "items": box["items"],
            "people": box["people"], "responsiveness": resp, "channels": channel_list(ws)}
