"""Channels: presence, dialogue, depth, trend, and each channel's activity month by month."""
from __future__ import annotations

from datetime import date
from typing import Any

from ..pages import Ctx, page

MONTHS = 12


def _month_starts(week: date, n: int) -> list[date]:
    y, m = week.year, week.month
    out = []
    for _ in range(n):
        out.append(date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def _monthly(ws: Any, start: date, week: date) -> dict[str, dict[date, dict[str, int]]]:
    from datetime import datetime, timedelta

    from ...metrics.base import ibis_backend
    from ...metrics.responsiveness import SUBSTANTIVE, roles
    from ...metrics.sqlcache import query

    def build(start: Any, end: Any) -> Any:
        a = ibis_backend(ws).table("activities")
        a = a.filter((a.ts >= start) & (a.ts < end))
        r = roles(ws)
        j = a.left_join(r, a.identity_id == r.identity_id)
        us, bot = j.us.fill_null(False), j.bot.fill_null(False)
        return j.group_by(channel=j.channel, month=j.ts.truncate("M").cast("date")).aggregate(
            ours=us.sum(), community=(~us & ~bot & j.identity_id.notnull() & j.kind.isin(SUBSTANTIVE)).sum())

    per: dict[str, dict[date, dict[str, int]]] = {}
    # compiled once per process (sqlcache), run with the month range as parameters
    for x in query(ws, ("channels.monthly",), build, start=datetime.combine(start, datetime.min.time()),
                   end=datetime.combine(week + timedelta(days=1), datetime.min.time())):
        per.setdefault(x["channel"], {})[x["month"]] = {"ours": int(x["ours"] or 0), "community": int(x["community"] or 0)}
    return per


@page("channels", "/channels")
def build(ctx: Ctx) -> dict[str, Any]:
    from ...metrics.presence import channels
    from ...metrics.responsiveness import responsiveness
    from ...metrics.sqlcache import stored

    ws, as_of, every = ctx.ws, ctx.arg("as_of"), ctx.arg("all") == "1"
    # stored for the data as it is (as the week page's lists): read back on the next computation
    data = stored(ws, ("channels.page", as_of, every), lambda: channels(ws, as_of, all_channels=every))
    week = data["as_of"]
    months = _month_starts(week, MONTHS)
    # acts per channel and month: ours and the community's substantive ones ("us" as the metrics define it)
    per = _monthly(ws, months[0], week)
    resp = {c["channel"]: c for c in stored(ws, ("channels.responsiveness", week, 1),
                                            lambda: responsiveness(ws, week, months=1))["channels"]}
    out = []
    for c in data["channels"]:
        m = per.get(c["channel"], {})
        out.append({**c, "months": [{"month": d.strftime("%Y-%m"), **m.get(d, {"ours": 0, "community": 0})}
                                    for d in months],
                    "responsiveness": resp.get(c["channel"])})
    return {"as_of": week, "since": data["since"], "channels": out}
