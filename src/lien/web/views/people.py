"""People: search, filter by level, tag and channel, sort."""
from __future__ import annotations

from typing import Any

from ..pages import Ctx, page

LEVELS = ("observer", "participant", "regular", "standard_bearer")
TAGS = ("new", "online-only", "offline-only", "cooling", "prescriber")
SORTS = ("pes", "level", "last", "name", "prescriber")
PAGE_SIZE = 100


def channel_list(ws: Any) -> list[str]:
    return [r["channel"] for r in ws.rows("SELECT DISTINCT channel FROM activities ORDER BY 1")]


@page("people", "/people")
def build(ctx: Ctx) -> dict[str, Any]:
    from ...metrics.persons import people

    q, level, tag, channel = ctx.arg("q"), ctx.arg("level"), ctx.arg("tag"), ctx.arg("channel")
    role = ctx.arg("role")  # community, staff or bot (the week page links to community members)
    sort = ctx.arg("sort", "pes")
    offset = ctx.int_arg("offset", 0, 0, 10_000_000)
    data = people(ctx.ws, as_of=ctx.arg("as_of"), level=level, tag=tag, channel=channel, role=role, q=q, sort=sort,
                  offset=offset, limit=PAGE_SIZE)
    return {
        "as_of": data["as_of"], "filters": {"q": q, "level": level, "tag": tag, "channel": channel, "role": role, "sort": sort},
        "total": data["total"], "offset": offset, "people": data["people"],
        "choices": {"levels": LEVELS, "tags": TAGS, "sorts": SORTS, "channels": channel_list(ctx.ws)},
    }
