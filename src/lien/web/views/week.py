"""This week: what to do now (answer, thank, invite, reconnect), goals, levels and their flow."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from ..pages import Ctx, page

#: people shown per list (each list gives its total and, where one exists, a link to all)
SHOWN = 8


@page("week", "/")
def build(ctx: Ctx) -> dict[str, Any]:
    from ...metrics import goals
    from ...metrics.cooling import cooling
    from ...metrics.levels import levels
    from ...metrics.persons import people
    from ...metrics.responsiveness import inbox

    from ...metrics.base import RECENT_DAYS, resolve_as_of
    from ...metrics.sqlcache import stored

    ws, as_of = ctx.ws, ctx.arg("as_of")
    week = resolve_as_of(ws, as_of)  # the week inbox() would take (not a whole inbox for it)
    # each list is stored in the workspace for the data as it is (sqlcache.stored): computed on
    # the first visit after a change, read back on the next ones (the page cache emptied by an
    # action, another language's first visit, a restart)
    # answer: what came in lately (the inbox page lists everything, oldest first)
    since = week - timedelta(days=RECENT_DAYS - 1)
    box = stored(ws, ("week.inbox", week, since, 5), lambda: inbox(ws, week, since=since, limit=5))
    total = stored(ws, ("week.inbox.total", week), lambda: inbox(ws, week, limit=1)["total"])
    # thank: standard-bearers and prescribers seen lately
    thank = stored(ws, ("week.thank", week), lambda: _thank(ws, week))
    # invite: regulars who are online only (MODEL.md §4: the conversion target), community members
    invite = stored(ws, ("week.invite", week, SHOWN), lambda: people(ws, as_of=week, tag="online-only",
                                                                     role="community", sort="pes", limit=SHOWN))
    nxt = ws.rows("""SELECT id, name, starts_at, place, url, channel FROM events
                     WHERE starts_at > ?::DATE + 1 ORDER BY starts_at LIMIT 1""", [week])
    reconnect = stored(ws, ("week.cooling", week, SHOWN), lambda: cooling(ws, as_of=week, limit=SHOWN))
    lv = stored(ws, ("week.levels", week, 12), lambda: levels(ws, as_of=week, months=12))
    return {
        "as_of": week,
        "answer": {"recent": box["total"], "days": RECENT_DAYS, "total": total, "items": box["items"],
                   "people": box["people"]},
        "thank": thank[:SHOWN],
        "thank_total": len(thank),
        "invite": {"people": invite["people"], "total": invite["total"], "next_event": nxt[0] if nxt else None},
        "reconnect": reconnect["cooling"],
        "reconnect_total": reconnect["total"],
        "goals": goals.check(ws, week)["goals"],
        "levels": lv["months"],
        # nothing imported yet: the page says how to begin instead of showing empty lists
        "empty": not ws.scalar("SELECT count(*) FROM (SELECT 1 FROM activities LIMIT 1)"),
    }


def _thank(ws: Any, week: Any) -> list[dict[str, Any]]:
    """Standard-bearers and prescribers seen lately, the most recently seen first (people()
    carries last_seen)."""
    from ...metrics.base import RECENT_DAYS
    from ...metrics.levels import advocates
    from ...metrics.persons import people

    seen = {}
    for q in (dict(level="standard_bearer"), dict(tag="prescriber")):
        for p in people(ws, as_of=week, limit=None, **q)["people"]:
            seen[p["person_id"]] = p["last_seen"]
    recent = week - timedelta(days=RECENT_DAYS)
    thank = [{**a, "last_seen": seen.get(a["person_id"])} for a in advocates(ws, as_of=week)["advocates"]]
    thank = [a for a in thank if a["last_seen"] is not None and a["last_seen"].date() > recent]
    thank.sort(key=lambda a: a["last_seen"], reverse=True)
    return thank
