"""Levels (MODEL.md §4): counts, the month-over-month flow table, gravity; advocates.

Read from the weekly snapshots (``score_weeks``). A month is shown by its last snapshot week
(the week whose Sunday is the month's last Sunday). Staff and bots stay out of these figures.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from .. import i18n
from .base import resolve_as_of

LEVELS = ("observer", "participant", "regular", "standard_bearer")
#: weights of N0..N3 in the gravity (MODEL.md §4)
GRAVITY_WEIGHTS = (1, 4, 7, 10)


def month_end_weeks(T: date, months: int) -> list[date]:
    """The Mondays of the last snapshot weeks of the ``months`` months up to the one of ``T``
    (``T`` a Sunday); the current, unfinished month is represented by ``T``'s own week."""
    out = [T - timedelta(days=6)]
    first = T.replace(day=1)
    for _ in range(months - 1):
        last_day = first - timedelta(days=1)
        sunday = last_day - timedelta(days=(last_day.weekday() + 1) % 7)
        out.append(sunday - timedelta(days=6))
        first = last_day.replace(day=1)
    return list(reversed(out))


def _community(ws: Any) -> str:
    return "s.role = 'community'" if ws.config.model["exclude"]["staff_from_aggregates"] else "s.role <> 'bot'"


def levels(ws: Any, *, as_of: str | date | None = None, months: int = 6) -> dict[str, Any]:
    """People per level per month, the flow from the month before (up, held, down, new,
    left) and the gravity, for the ``months`` months up to the week of ``as_of``."""
    T = resolve_as_of(ws, as_of)
    weeks = month_end_weeks(T, months + 1)
    comm = _community(ws)
    # each month against the one before, person by person, counted in one query: (cur, before, lv, n)
    rows = ws.rows(f"""
        WITH pairs AS (SELECT unnest(?::DATE[]) AS prev, unnest(?::DATE[]) AS cur),
        s AS (SELECT s.week, s.person_id, s.level FROM score_weeks s
              WHERE s.week IN (SELECT unnest(?::DATE[])) AND {comm}),
        a AS (SELECT p.cur, s.person_id, s.level FROM pairs p JOIN s ON s.week = p.prev),
        b AS (SELECT p.cur, s.person_id, s.level FROM pairs p JOIN s ON s.week = p.cur)
        SELECT coalesce(b.cur, a.cur) AS cur, a.level AS before, b.level AS lv, count(*) AS n
        FROM b FULL JOIN a ON a.cur = b.cur AND a.person_id = b.person_id
        GROUP BY ALL""", [weeks[:-1], weeks[1:], weeks])
    by_cur: dict[date, list[dict[str, Any]]] = {w: [] for w in weeks[1:]}
    for r in rows:
        by_cur[r["cur"]].append(r)
    out = []
    for cur in weeks[1:]:
        counts = [0, 0, 0, 0]
        flow = {lv: {"up": 0, "held": 0, "down": 0, "new": 0, "left": 0} for lv in LEVELS}
        prev_mass = 0
        for r in by_cur[cur]:
            lv, before, n = r["lv"], r["before"], int(r["n"])
            if before is not None:
                prev_mass += GRAVITY_WEIGHTS[int(before)] ** 2 * n
            if lv is None:
                flow[LEVELS[int(before)]]["left"] += n
                continue
            lv = int(lv)
            counts[lv] += n
            key = "new" if before is None else "up" if lv > before else "down" if lv < before else "held"
            flow[LEVELS[lv]][key] += n
        members = sum(counts)
        mass = sum(w * w * n for w, n in zip(GRAVITY_WEIGHTS, counts))
        out.append({
            "month": (cur + timedelta(days=6)).strftime("%Y-%m"), "week": cur, "members": members,
            "counts": dict(zip(LEVELS, counts)), "flow": flow,
            "gravity": round((mass - prev_mass) / members, 2) if members else 0.0,
        })
    return {"as_of": T, "months": out}


def advocates(ws: Any, *, as_of: str | date | None = None) -> dict[str, Any]:
    """Standard-bearers and prescribers of the week of ``as_of``, each with a one-line reason."""
    T = resolve_as_of(ws, as_of)
    monday = T - timedelta(days=6)
    rows = ws.rows(f"""
        SELECT s.person_id, p.display_name AS name, s.pes, s.level, s.tags, s.online_13w, s.checkins_26w,
               s.counterparts_13w, s.online_weeks, s.offline_months, s.responders, s.newcomers,
               s.pagerank_pct, s.prescriber
        FROM score_weeks s JOIN people p ON p.id = s.person_id
        WHERE s.week = ? AND {_community(ws)} AND (s.level = 3 OR list_contains(s.tags, 'prescriber'))
        ORDER BY s.level DESC, s.prescriber DESC, s.pes DESC, s.person_id""", [monday])
    out = []
    for r in rows:
        reasons = []
        if r["level"] == 3:
            reasons.append(i18n.t("levels.why.bearer", online=i18n.tn("levels.n.contributions", r["online_13w"]),
                                  people=i18n.tn("levels.n.people", r["counterparts_13w"]),
                                  checkins=i18n.tn("levels.n.checkins", r["checkins_26w"])))
        if "prescriber" in (r["tags"] or []):
            reasons.append(i18n.t("levels.why.prescriber", score=f"{r['prescriber']:.0f}",
                                  responders=i18n.tn("levels.n.responders", round(r["responders"], 1),
                                                     x=i18n.num(r["responders"], 1)),
                                  newcomers=i18n.tn("levels.n.newcomers", r["newcomers"]),
                                  pr=i18n.num(r["pagerank_pct"], 2)))
        out.append({"person_id": r["person_id"], "name": r["name"], "pes": round(r["pes"], 1),
                    "level": LEVELS[r["level"]], "prescriber": round(r["prescriber"], 1),
                    "tags": list(r["tags"] or []), "reason": i18n.t("levels.sep").join(reasons)})
    return {"as_of": T, "advocates": out}


i18n.register({k: {"en": en, "fr": fr} for k, (en, fr) in {
    "levels.why.bearer": ("standard-bearer: {online} in 13 weeks, exchanges with {people}, {checkins} in 26 weeks",
                          "porte-étendard : {online} en 13 semaines, des échanges avec {people}, {checkins} en "
                          "26 semaines"),
    "levels.why.prescriber": ("prescriber ({score}/100): {responders}, brought {newcomers}, PageRank percentile {pr}",
                              "prescripteur ({score}/100) : {responders}, a fait venir {newcomers}, centile "
                              "PageRank {pr}"),
    "levels.n.contributions": ("{n} contribution|{n} contributions", "{n} contribution|{n} contributions"),
    "levels.n.people": ("{n} person|{n} people", "{n} personne|{n} personnes"),
    "levels.n.checkins": ("{n} check-in|{n} check-ins", "{n} présence à un événement|{n} présences à des événements"),
    "levels.n.responders": ("{x} person answers them|{x} people answer them",
                            "{x} personne lui répond|{x} personnes lui répondent"),
    "levels.n.newcomers": ("{n} newcomer|{n} newcomers", "{n} nouvelle personne|{n} nouvelles personnes"),
    "levels.sep": ("; ", " ; "),
}.items()})
