"""Cooling-off (MODEL.md §5): someone who was a regular drifts away from their own rhythm.

Flag when the gap since the last substantive act (online, or a check-in) is longer than
``max(4 weeks, 2 × the person's median gap between active days)``, for anyone who was N2+ at
some point in the last 26 weeks. The median is taken over the gaps between consecutive
active days in the 52 weeks up to the last active day: the rhythm they had while active.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import ibis

from .. import i18n
from .base import resolve_as_of
from .engagement import OFFLINE, ONLINE_SUBSTANTIVE

i18n.register({"cooling.rhythm": {"en": "~{d} d", "fr": "~{d} j"}})

MIN_GAP_DAYS = 28
FACTOR = 2.0
WAS_REGULAR_WEEKS = 26
#: the median (in half days) is packed with the day into one number, so that a running
#: maximum carries both along the weekly grid
_PACK = 1000


def last_day_keys(acts: Any, lookback_weeks: int) -> Any:
    """(person, week, dkey): the week's last active day and the median gap before it, packed."""
    s = acts.filter(acts.scored & acts.kind.isin(ONLINE_SUBSTANTIVE + OFFLINE))
    days = s.select(person=s.actor, day=s.day, week=s.week).distinct()
    w = ibis.window(group_by=days.person, order_by=days.day)
    days = days.mutate(gap=days.day - days.day.lag().over(w))
    med = days.gap.median().over(ibis.window(group_by=days.person, order_by=days.day,
                                             range=(-(lookback_weeks * 7 - 1), 0)))
    days = days.mutate(med=med)
    half_days = ibis.least((days.med.fill_null(0) * 2).round().cast("int64"), _PACK - 1)
    key = days.day.cast("int64") * _PACK + half_days
    return days.group_by("person", "week").aggregate(dkey=key.max())


def unpack(key: Any) -> tuple[Any, Any]:
    """Ibis expressions (last active day number, median gap in days) from a packed key."""
    return (key // _PACK).cast("int64"), (key % _PACK).cast("float64") / 2


def describe_rhythm(median_days: float | None) -> str:
    if not median_days:
        return "—"
    return i18n.t("cooling.rhythm", d=f"{median_days:.0f}")


def cooling(ws: Any, *, as_of: str | date | None = None, limit: int | None = None) -> dict[str, Any]:
    """People drifting away as of the week containing ``as_of``: their usual rhythm, how long
    they have been silent, and their last exchange; ``total`` counts them all, ``cooling``
    lists the first ``limit``."""
    T = resolve_as_of(ws, as_of)
    monday = T - timedelta(days=6)
    rows = ws.rows(f"""
        SELECT s.person_id, p.display_name AS name, s.level, s.last_substantive, s.median_gap_days,
               datediff('day', s.last_substantive, ?::DATE) AS silent_days, s.pes, count(*) OVER () AS total
        FROM score_weeks s JOIN people p ON p.id = s.person_id
        WHERE s.week = ? AND list_contains(s.tags, 'cooling') AND s.role = 'community'
        ORDER BY silent_days DESC, s.person_id {f'LIMIT {int(limit)}' if limit else ''}""", [T, monday])
    # everyone's last exchange in one query (the last substantive act per person, then its context)
    last = {r.pop("person_id"): r for r in ws.rows("""
        WITH lastact AS (
            SELECT i.person_id, arg_max(a.id, (a.ts, a.id)) AS id
            FROM activities a JOIN identities i ON i.id = a.identity_id
            WHERE i.person_id IN (SELECT unnest(?::VARCHAR[])) AND a.ts < ?::DATE + 1
              AND a.kind IN ('post','comment','reply','message','mention','attend','volunteer','speak','host')
            GROUP BY 1)
        SELECT l.person_id, a.kind, a.ts, a.channel, coalesce(a.title, root.title, e.name) AS about, a.url
        FROM lastact l JOIN activities a ON a.id = l.id
        LEFT JOIN activities root ON root.id = a.thread_id
        LEFT JOIN events e ON e.id = a.thread_id""", [[r["person_id"] for r in rows], T])} if rows else {}
    total = rows[0]["total"] if rows else 0
    for r in rows:
        del r["total"]
        r["last_exchange"] = last.get(r["person_id"])
        r["usual_rhythm_days"] = r.pop("median_gap_days")
    return {"as_of": T, "total": total, "cooling": rows}
