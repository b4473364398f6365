"""Relationship events and tie strength per pair (MODEL.md §2 "relationship events", §6).

A *direct* act addresses someone: a comment, reply, message or mention whose target (or
whose parent's author) is another person, or the organisation (one node, ``'@org'``). A
*reciprocated exchange* is u→v followed by v→u within ``reciprocity_window_days``, in the
same thread (or the same DM channel when there is no thread); it counts at the week of the
answer, for both. Direct acts that take part in no exchange are one-way.
"""
from __future__ import annotations

from datetime import date
from typing import Any

import ibis

from .base import ibis_backend, resolve_as_of
from .engagement import OFFLINE, ONLINE_SUBSTANTIVE, ORG, REACTIONS, Params, week_date, week_index

BANDS = ("strong", "medium", "weak", "dormant")
#: events larger than this make no co-attendance ties (a conference hall is not a bond)
MAX_CO_ATTENDANCE = 200


def direct_acts(acts: Any) -> Any:
    d = acts.filter(acts.kind.isin(ONLINE_SUBSTANTIVE) & acts.dst.notnull())
    return d.select("id", src=d.actor, dst=d.dst, ctx=d.ctx, ts=d.ts, week=d.week, kind=d.kind)


def exchanges(direct: Any, p: Params) -> Any:
    """One row per answer that completes a reciprocated exchange: (src, dst, week, d1, d2)."""
    d1 = direct.view()
    d2 = direct.view()
    j = d1.join(d2, [d1.ctx == d2.ctx, d1.src == d2.dst, d1.dst == d2.src, d2.ts >= d1.ts,
                     d2.ts <= d1.ts + ibis.interval(days=p.reciprocity_days), d1.id != d2.id])
    return j.select(a=d1.src, b=d1.dst, week=d2.week, first_id=d1.id, answer_id=d2.id).distinct()


def exchange_weeks(ex: Any) -> Any:
    """(person, other, week) for both sides of each exchange."""
    one = ex.select(person=ex.a, other=ex.b, week=ex.week)
    two = ex.select(person=ex.b, other=ex.a, week=ex.week)
    return one.union(two).distinct()


def tie_points(acts: Any, direct: Any, ex: Any, p: Params) -> Any:
    """Per unordered pair and week: counts of each relationship event and capped points."""
    def pair(t: Any, x: Any, y: Any) -> Any:
        return t.mutate(a=ibis.least(x, y), b=ibis.greatest(x, y))

    rec = pair(ex, ex.a, ex.b).group_by("a", "b", "week").aggregate(reciprocated=ibis._.answer_id.nunique())
    in_ex = ex.select(id=ex.first_id).union(ex.select(id=ex.answer_id)).distinct()
    one = direct.anti_join(in_ex, "id")
    one = pair(one, one.src, one.dst).group_by("a", "b", "week").aggregate(one_way=ibis._.count())
    r = acts.filter(acts.kind.isin(REACTIONS) & acts.dst.notnull())
    r = pair(r, r.actor, r.dst).group_by("a", "b", "week").aggregate(reactions=ibis._.count())
    off = acts.filter(acts.kind.isin(OFFLINE) & acts.thread_id.notnull())
    att = off.group_by(ev=off.thread_id, who=off.actor).aggregate(week=off.week.min())
    size = att.group_by("ev").aggregate(size=ibis._.count())
    att = att.join(size, "ev").filter(lambda t: t.size <= MAX_CO_ATTENDANCE).drop("size")
    x, y = att.view(), att.view()
    co = x.join(y, [x.ev == y.ev, x.who < y.who]).select(a=x.who, b=y.who, week=ibis.greatest(x.week, y.week))
    co = co.group_by("a", "b", "week").aggregate(co_attendance=ibis._.count())
    keys = ["a", "b", "week"]
    parts = [rec, one, r, co]
    allkeys = parts[0].select(*keys)
    for t in parts[1:]:
        allkeys = allkeys.union(t.select(*keys), distinct=True)  # one row per pair and week
    t = allkeys
    for part in parts:
        t = t.left_join(part, keys).drop("a_right", "b_right", "week_right")
    t = t.mutate(reciprocated=t.reciprocated.fill_null(0), one_way=t.one_way.fill_null(0),
                 reactions=t.reactions.fill_null(0), co_attendance=t.co_attendance.fill_null(0))
    online = (p.tie["reciprocated"] * t.reciprocated + p.tie["one_way"] * t.one_way
              + p.tie["reaction"] * t.reactions)
    offline = p.tie["co_attendance"] * t.co_attendance
    total = online + offline
    scale = ibis.ifelse(total > p.cap_tie, p.cap_tie / total, 1.0)
    return t.select(
        "a", "b", "week", "reciprocated", "one_way", "co_attendance", "reactions",
        online_points=online * scale, offline_points=offline * scale, points=ibis.least(total, p.cap_tie),
    )


# ------------------------------------------------------------------------------------------
# reading

def band_index(score: Any, online: Any, offline: Any, weeks_since: Any) -> Any:
    """The tie's band as its index in :data:`BANDS` (an Ibis expression over the decayed score,
    its online and offline parts and the weeks since the last interaction), MODEL.md §6."""
    return ibis.cases((weeks_since >= 26, BANDS.index("dormant")),
                      ((score >= 20) & (online > 0) & (offline > 0), BANDS.index("strong")),
                      (score >= 5, BANDS.index("medium")), else_=BANDS.index("weak"))


def ties(ws: Any, who: str | None = None, *, as_of: str | date | None = None, limit: int | None = 20) -> dict[str, Any]:
    """The strongest ties of a person (``who`` = a people id) or, by default, of the
    organisation, as of the week containing ``as_of``: decayed score, contributions, band."""
    from .engagement import Params as _P
    from .sqlcache import query

    p = _P.from_config(ws.config.model)
    T = week_index(resolve_as_of(ws, as_of))
    node = who or ORG

    def build(node: Any, monday: Any) -> Any:
        tw = ibis_backend(ws).table("tie_weeks")
        monday = monday.cast("date")
        since_w = (monday.delta(tw.week, unit="day") / 7).cast("int64")  # weeks before the as-of week
        t = tw.filter(((tw.a == node) | (tw.b == node)) & (tw.week <= monday)).mutate(ago=since_w)
        t = t.filter(t.ago < p.lookback)
        t = t.mutate(other=ibis.ifelse(t.a == node, t.b, t.a), dec=2.0 ** (-t.ago.cast("float64") / p.h_tie))
        g = t.group_by("other").aggregate(
            score=(t.points * t.dec).sum(), online=(t.online_points * t.dec).sum(),
            offline=(t.offline_points * t.dec).sum(), weeks_since=t.ago.min(),
            reciprocated=t.reciprocated.sum(), one_way=t.one_way.sum(), co_attendance=t.co_attendance.sum(),
            reactions=t.reactions.sum(),
        )
        # the band and its order in the query: only the shown ties are fetched
        order = band_index(g.score, g.online, g.offline, g.weeks_since)
        # scores equal but for the order of a parallel sum (last bits) are ordered by the other's id
        g = g.mutate(band_order=order).order_by("band_order", ibis.desc(g.score.round(9)), "other")
        return g.limit(limit) if limit else g

    rows = query(ws, ("ties.of", limit or None, p.lookback, p.h_tie), build, node=node, monday=week_date(T))
    names = _names(ws, [r["other"] for r in rows])
    out = []
    for r in rows:
        since = int(r["weeks_since"])
        out.append({
            "person_id": r["other"], "name": names.get(r["other"], r["other"]),
            "score": round(float(r["score"]), 1), "band": BANDS[int(r["band_order"])],
            "online": round(float(r["online"]), 1), "offline": round(float(r["offline"]), 1),
            "last_interaction": week_date(T - since), "weeks_since": since,
            "contributions": {"reciprocated": int(r["reciprocated"]), "one_way": int(r["one_way"]),
                              "co_attendance": int(r["co_attendance"]), "reactions": int(r["reactions"])},
        })
    return {"as_of": week_date(T), "of": node, "ties": out}


def _names(ws: Any, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = ws.rows("SELECT id, display_name FROM people WHERE id IN (SELECT unnest(?))", [ids])
    out = {r["id"]: r["display_name"] or r["id"] for r in rows}
    out[ORG] = ws.config.name or "organisation"
    return out
