"""Bridging check (MODEL.md §8 B1): do the people who come to our meetups still talk with those who don't?

Meetups make strong ties among those who attend; the worry (Sessions 2010) is that they close a
circle: attendees end up exchanging only with each other, and the online community that never
comes loses them. B1 watches that, per calendar quarter:

* **attendees** of a quarter: community people (not us, not staff, not bots) who checked in
  (``attend``, ``volunteer``, ``speak``, ``host``) at an event that started in that quarter;
* their **reciprocated exchanges**: the ``reciprocated`` counts of ``tie_weeks`` (an answer
  that completes u→v then v→u within ``reciprocity_window_days``, MODEL.md §2) for pairs of
  community people of which at least one attended that quarter; exchanges with the
  organisation ('@org') or its staff are not community bridges and are left out. A week's
  exchanges count in the quarter that holds the week's Thursday (the ISO rule for weeks across
  a boundary);
* **B1** = exchanges between an attendee and a non-attendee / all the attendees' exchanges, in %.

A share going down from one quarter to the next is the signal ("watch for decline"): each quarter
carries its change in points from the previous one, and is flagged ``declining`` when it fell by
:data:`DECLINE_PTS` points or more. Quarters are those with attendees, up to the
as-of week (the current quarter so far). Needs the weekly snapshots (``lien score``): ``None``
figures when the model was never scored.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from .. import i18n
from .base import ibis_backend, resolve_as_of, week_start
from .engagement import ORG
from .sqlcache import query


#: a fall of this many points or more from the previous quarter is flagged (smaller moves are noise
#: on a few dozen exchanges)
DECLINE_PTS = 5.0


def _pct(n: int, d: int) -> float | None:
    return round(100.0 * n / d, 1) if d else None


def _expr(ws: Any, end: Any, last_week: Any, channel: Any = None, fast: bool = False) -> Any:
    import ibis

    from .events import _base, _events_held, _quarter_of

    b = ibis_backend(ws)
    if fast:  # the stored first check-in per person and event (refreshed after each import)
        cf = b.table("event_checkins")
        cf = cf.filter(cf.ci_ts < end)
        ev = _events_held(ws, end)
        ci = cf.join(ev, cf.event_id == ev.event_id).select("person_id", "event_channel", "starts_at")
    else:
        ci = _base(ws, end)[2]
    if channel is not None:
        ci = ci.filter(ci.event_channel == channel)
    att = ci.group_by(person=ci.person_id, q=_quarter_of(ci.starts_at)).aggregate()
    n_att = att.group_by(n_q=att.q).aggregate(attendees=att.count())

    people = b.table("people")
    not_community = people.filter(people.role.isin(("staff", "bot"))).select(nc=people.id)
    t = b.table("tie_weeks")
    t = t.filter((t.reciprocated > 0) & (t.week <= last_week) & (t.a != ORG) & (t.b != ORG))
    t = t.filter(~t.a.isin(not_community.nc), ~t.b.isin(not_community.nc))
    t = t.select("a", "b", "reciprocated", q=_quarter_of(t.week + ibis.interval(days=3)))
    aa = att.select(pa=att.person, qa=att.q)
    ba = att.select(pb=att.person, qb=att.q)
    j = t.left_join(aa, [t.a == aa.pa, t.q == aa.qa])
    j = j.left_join(ba, [j.b == ba.pb, j.q == ba.qb])
    j = j.mutate(a_in=j.pa.notnull(), b_in=j.pb.notnull())
    j = j.filter(j.a_in | j.b_in)
    ex = j.group_by(e_q=j.q).aggregate(exchanges=j.reciprocated.sum(),
                                        bridging=j.reciprocated.sum(where=j.a_in != j.b_in))
    out = n_att.left_join(ex, n_att.n_q == ex.e_q)
    return out.select(q=out.n_q, attendees=out.attendees, exchanges=out.exchanges.fill_null(0),
                      bridging=out.bridging.fill_null(0)).order_by("q")


def bridging(ws: Any, as_of: str | date | None = None, *, channel: str | None = None) -> dict[str, Any]:
    """Per quarter up to the as-of week: attendees, their reciprocated exchanges, the share that
    involves a non-attendee (B1) and its change from the previous quarter."""
    from .events import _fresh
    from .responsiveness import period_end

    week = resolve_as_of(ws, as_of)
    if not ws.rows("SELECT 1 AS x FROM score_weeks LIMIT 1"):
        return {"as_of": week, "scored": False, "quarters": []}
    params: dict[str, Any] = {"end": period_end(week), "last_week": week_start(week)}
    if channel:
        params["channel"] = channel
    fast = _fresh(ws)
    rows = query(ws, ("bridging", bool(channel), fast), lambda **p: _expr(ws, fast=fast, **p), **params)
    quarters, prev = [], None
    for r in rows:
        n, d = int(r["bridging"] or 0), int(r["exchanges"] or 0)
        pct = _pct(n, d)
        change = round(pct - prev, 1) if pct is not None and prev is not None else None
        quarters.append({"quarter": r["q"], "attendees": int(r["attendees"]), "exchanges": d, "bridging": n,
                         "bridging_pct": pct, "change_pts": change, "declining": change is not None and change <= -DECLINE_PTS})
        if pct is not None:
            prev = pct
    return {"as_of": week, "scored": True, "quarters": quarters}


def sentence(q: dict[str, Any]) -> str:
    """One line a community manager reads: the share, its basis and its direction."""
    if q["bridging_pct"] is None:
        return i18n.t("b1.none", q=q["quarter"], n=q["attendees"])
    ch = q["change_pts"] or 0
    f = dict(q=q["quarter"], pct=i18n.num(q["bridging_pct"]), n=q["bridging"], d=q["exchanges"],
             a=q["attendees"], ch=i18n.num(abs(ch)))
    if ch < 0:
        tail = ", " + i18n.t("b1.falling", **f) + (i18n.t("b1.closing") if q["declining"] else "")
    else:
        tail = i18n.t("b1.rising" if ch > 0 else "b1.attendees", **f)
    return i18n.t("b1.line", **f) + tail


i18n.register({
    "b1.line": {"en": "{q}: {pct}% of the attendees' exchanges ({n} of {d}) were with people who came to no event that quarter",
                "fr": "{q} : {pct} % des échanges des participants ({n} sur {d}) avec des personnes venues à aucun événement du trimestre"},
    "b1.attendees": {"en": " ({a} attendees)", "fr": " ({a} participants)"},
    "b1.rising": {"en": ", up {ch} points", "fr": ", en hausse de {ch} points"},
    "b1.closing": {"en": ": the circle may be closing", "fr": " : le cercle se referme peut-être"},
    "b1.none": {"en": "{q}: {n} attendees, no reciprocated exchange yet", "fr": "{q} : {n} participants, aucun échange réciproque encore"},
    "b1.title": {"en": "Bridging (B1): attendees' exchanges with people who did not come",
                 "fr": "Passerelles (B1) : échanges des participants avec ceux qui ne sont pas venus"},
    "b1.short": {"en": "Attendees' exchanges with non-attendees (B1)", "fr": "Échanges des participants avec les absents (B1)"},
    "b1.falling": {"en": "down {ch} points", "fr": "en baisse de {ch} points"},
    "b1.web": {"en": "with non-attendees (B1)", "fr": "avec les absents (B1)"},
    "b1.def": {"en": "B1: the share of the attendees' reciprocated exchanges that were with people who came to no event "
                     "that quarter (a closing circle shows as a fall).",
               "fr": "B1 : la part des échanges réciproques des participants avec des personnes venues à aucun événement "
                     "du trimestre (un cercle qui se referme se voit à sa baisse)."},
    "b1.col.attendees": {"en": "attendees", "fr": "participants"},
    "b1.col.exchanges": {"en": "exchanges", "fr": "échanges"},
    "b1.col.bridging": {"en": "with non-attendees", "fr": "avec des absents"},
    "b1.col.change": {"en": "change (pts)", "fr": "évolution (pts)"},
})
