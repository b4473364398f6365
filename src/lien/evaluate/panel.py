"""The evaluation panel (MODEL.md, "Evaluation protocol" §1–2): one row per (person, cut-off).

A cut-off is the end of the last ISO week of a month (the snapshot week the monthly display
shows): its features are that week's snapshot (``score_weeks``) and counts of acts strictly
before it; its label looks at the next ``horizon`` weeks. Only cut-offs whose whole horizon
lies inside the data are kept (a label cut short by the end of the export would count people
as gone who were not). Everything is one SQL statement over the canonical tables: no loop per
act or per person.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa

from ..errors import UsageError
from ..metrics.engagement import LIGHT, OFFLINE, ONLINE_SUBSTANTIVE, Params

LABELS = ("substantive", "attend")
#: acts that say something about the future rather than the past: left out of the baselines'
#: counts (MODEL.md: RSVPs for future events are leakage); a no-show is not an act
NOT_ACTS = ("rsvp_yes", "rsvp_no", "rsvp_maybe", "waitlist", "no_show")
NEWCOMER_WEEKS = 13
LOOKBACK_WEEKS = 52
PAST_WEEKS = 26


@dataclass
class Panel:
    """The rows as numpy columns (aligned), plus what was asked."""

    label: str
    horizon: int
    cutoffs: list[date]  # the Sundays
    cols: dict[str, np.ndarray]
    has_checkins: bool
    has_follows: bool

    @property
    def n(self) -> int:
        return len(self.cols["y"]) if self.cols else 0


def _sql_list(xs: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{x}'" for x in xs) + ")"


def month_end_sundays(first: date, last: date) -> list[date]:
    """The last Sunday of each month from ``first``'s month to ``last``'s."""
    out = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        nxt = date(y + m // 12, m % 12 + 1, 1)
        end = nxt - timedelta(days=1)
        out.append(end - timedelta(days=(end.weekday() + 1) % 7))
        y, m = nxt.year, nxt.month
    return out


def data_bounds(ws: Any) -> tuple[datetime | None, datetime | None, bool, bool]:
    """First and last act of people, whether anyone ever checked in, whether anyone follows a person."""
    r = ws.con.execute(f"""
        SELECT min(a.ts), max(a.ts), bool_or(a.kind IN {_sql_list(OFFLINE)}),
               bool_or(a.kind = 'follow' AND a.target_identity_id IS NOT NULL)
        FROM activities a JOIN identities i ON i.id = a.identity_id
        WHERE NOT i.is_org AND NOT i.is_bot""").fetchall()[0]
    return r[0], r[1], bool(r[2]), bool(r[3])


def cutoffs(ws: Any, horizon: int, label: str) -> tuple[list[date], bool, bool]:
    """The month-end Sundays whose horizon is inside the data (and, for the attend label,
    holds at least one event)."""
    first, last, has_checkins, has_follows = data_bounds(ws)
    if first is None:
        return [], has_checkins, has_follows
    sundays = [s for s in month_end_sundays(first.date(), last.date())
               if s >= first.date() and s + timedelta(days=7 * horizon) <= last.date()]
    if label == "attend" and sundays:
        # an event in the horizon: a dated event, or a check-in (events without a date)
        rows = ws.con.execute(f"""
            SELECT ts FROM (SELECT starts_at AS ts FROM events WHERE starts_at IS NOT NULL
                            UNION ALL SELECT ts FROM activities WHERE kind IN {_sql_list(OFFLINE)})""").fetchall()
        ts = np.array(sorted(r[0] for r in rows), dtype="datetime64[us]")
        keep = []
        for s in sundays:
            t0 = np.datetime64(s + timedelta(days=1), "us")
            t1 = np.datetime64(s + timedelta(days=1 + 7 * horizon), "us")
            i = np.searchsorted(ts, t0)
            if i < len(ts) and ts[i] < t1:
                keep.append(s)
        sundays = keep
    return sundays, has_checkins, has_follows


def build(ws: Any, *, horizon: int = 13, label: str | None = None, p: Params | None = None,
          score_table: str = "score_weeks") -> Panel:
    """The panel of (person, cut-off) with every model's inputs and the label."""
    if horizon < 1:
        raise UsageError(f"--horizon-weeks: expected at least 1, found {horizon}")
    p = p or Params.from_config(ws.config.model)
    _, _, has_checkins, _ = data_bounds(ws)
    if label is None:
        label = "attend" if has_checkins else "substantive"
    if label not in LABELS:
        raise UsageError(f"--label: expected one of {', '.join(LABELS)}, found '{label}'")
    if label == "attend" and not has_checkins:
        raise UsageError("--label attend: nobody ever checked in in this workspace (no attend, volunteer, "
                         "speak or host acts); use --label substantive")
    suns, has_checkins, has_follows = cutoffs(ws, horizon, label)
    empty = Panel(label, horizon, suns, {}, has_checkins, has_follows)
    if not suns:
        return empty
    ws.con.register("_lien_cuts", pa.table({"cut": pa.array(suns, pa.date32())}))
    try:
        ws.con.execute("SELECT 1").fetchall()  # nothing half-read left on the connection
        table = ws.con.sql(_panel_sql(p, horizon, label, score_table)).to_arrow_table()
    finally:
        ws.con.unregister("_lien_cuts")
    if table.num_rows == 0:
        return empty
    cols = {}
    for name in table.column_names:
        col = table.column(name)
        if pa.types.is_date(col.type) or pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            cols[name] = np.array(col.to_pylist(), dtype=object)
        else:
            cols[name] = col.to_numpy(zero_copy_only=False).astype(float)
    cols["y"] = cols["y"].astype(int)
    cols["cut"] = np.array([d for d in cols["cut"]], dtype="datetime64[D]")
    return Panel(label, horizon, suns, cols, has_checkins, has_follows)


def _weight_case(p: Params) -> str:
    kinds = ONLINE_SUBSTANTIVE + OFFLINE + LIGHT
    return "CASE a.kind " + " ".join(f"WHEN '{k}' THEN {p.kind_weight(k)}" for k in kinds) + " ELSE 0 END"


def _panel_sql(p: Params, horizon: int, label: str, score_table: str) -> str:
    sub = _sql_list(ONLINE_SUBSTANTIVE + OFFLINE)
    off = _sql_list(OFFLINE)
    target = sub if label == "substantive" else off
    return f"""
    WITH cuts AS (
        SELECT cut, cut - INTERVAL 6 DAY AS week, CAST(cut + INTERVAL 1 DAY AS TIMESTAMP) AS t,
               CAST(cut + INTERVAL 1 DAY AS TIMESTAMP) + INTERVAL {7 * horizon} DAY AS t_end
        FROM _lien_cuts),
    acts AS (
        SELECT i.person_id AS person, a.id, a.kind, a.ts, a.thread_id, a.target_identity_id,
               {_weight_case(p)} AS w
        FROM activities a JOIN identities i ON i.id = a.identity_id
        JOIN people pe ON pe.id = i.person_id
        WHERE NOT i.is_org AND NOT i.is_bot AND pe.role = 'community'
          AND a.kind NOT IN {_sql_list(NOT_ACTS)}),
    past AS (
        SELECT c.cut, a.person,
               max(a.ts) AS last_any,
               max(a.ts) FILTER (WHERE a.kind IN {sub}) AS last_sub,
               min(a.ts) FILTER (WHERE a.kind IN {sub}) AS first_sub,
               count(*) FILTER (WHERE a.ts >= c.t - INTERVAL {7 * PAST_WEEKS} DAY) AS acts_26w,
               count(DISTINCT coalesce(a.thread_id, a.id)) FILTER (
                   WHERE a.kind IN {off} AND a.ts >= c.t - INTERVAL {7 * PAST_WEEKS} DAY) AS checkins_26w,
               count(*) FILTER (WHERE a.kind IN {off}) AS checkins_ever,
               sum(a.w * pow(0.9, datediff('day', a.ts, c.t) / 30.4375)) AS love
        FROM cuts c JOIN acts a ON a.ts < c.t
        GROUP BY ALL
        HAVING max(a.ts) FILTER (WHERE a.kind IN {sub}) >= any_value(c.t) - INTERVAL {7 * LOOKBACK_WEEKS} DAY),
    future AS (
        SELECT c.cut, a.person, count(DISTINCT coalesce(a.thread_id, a.id)) FILTER (
                   WHERE a.kind IN {off}) AS n_attend,
               count(*) FILTER (WHERE a.kind IN {sub}) AS n_sub
        FROM cuts c JOIN acts a ON a.ts >= c.t AND a.ts < c.t_end
        GROUP BY ALL),
    fol AS (
        SELECT c.cut, ti.person_id AS person, count(DISTINCT a.person) AS followers
        FROM cuts c JOIN acts a ON a.kind = 'follow' AND a.ts < c.t
        JOIN identities ti ON ti.id = a.target_identity_id
        GROUP BY ALL)
    SELECT x.cut, x.person,
           CAST(coalesce(f.{'n_sub' if label == 'substantive' else 'n_attend'}, 0) > 0 AS INTEGER) AS y,
           coalesce(f.{'n_sub' if label == 'substantive' else 'n_attend'}, 0) AS y_count,
           coalesce(s.x_light, 0) AS likes,
           coalesce(fo.followers, 0) AS followers,
           x.acts_26w AS past_activity,
           x.checkins_26w AS past_checkins,
           -datediff('second', x.last_any, c.t) / 604800.0 AS recency,
           x.love AS orbit_love,
           coalesce(s.pes, 0) AS pes,
           coalesce(s.v_offline, 0) AS v_offline, coalesce(s.v_conversation, 0) AS v_conversation,
           coalesce(s.v_reciprocity, 0) AS v_reciprocity, coalesce(s.v_regularity, 0) AS v_regularity,
           coalesce(s.v_breadth, 0) AS v_breadth, coalesce(s.v_light, 0) AS v_light,
           coalesce(s.x_offline, 0) AS x_offline, coalesce(s.x_conversation, 0) AS x_conversation,
           coalesce(s.x_reciprocity, 0) AS x_reciprocity, coalesce(s.x_light, 0) AS x_light,
           coalesce(s.online_weeks, 0) AS online_weeks,
           CAST(x.checkins_ever > 0 AS INTEGER) AS attended_before,
           CAST(x.first_sub >= c.t - INTERVAL {7 * NEWCOMER_WEEKS} DAY AS INTEGER) AS newcomer,
           CAST(s.person_id IS NOT NULL AS INTEGER) AS scored
    FROM past x JOIN cuts c ON c.cut = x.cut
    LEFT JOIN future f ON f.cut = x.cut AND f.person = x.person
    LEFT JOIN fol fo ON fo.cut = x.cut AND fo.person = x.person
    LEFT JOIN {score_table} s ON s.person_id = x.person AND s.week = c.week
    ORDER BY x.cut, x.person"""
