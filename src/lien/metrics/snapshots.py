"""``lien score``: the model computed per ISO week into the snapshot tables.

Tables (schema migration 2; docs/concepts/model.md):

- ``score_weeks``: per person and week (the Monday; the snapshot is the week's end) the six
  components' raw quantities, values and points, the PES, the level, the tags, and what the
  levels and prescriber score are made of. A row exists when the person acted in the
  lookback window (52 weeks); no row means N0 with a PES of 0.
- ``tie_weeks``: per pair and week, the relationship events and their (capped) points; the
  decayed tie score as of any week is a sum over these rows (``lien.metrics.ties.ties``).
- ``pagerank_months``: the reply/mention graph's PageRank at each month's last week.
- ``score_input``: per week, a digest of the acts that went in; the next run recomputes only
  from the first week whose digest changed (or everything when the model's settings did).

Writes go through :class:`Plan` (and :func:`materialize`), the only places that turn an Ibis
expression into a table.
"""
from __future__ import annotations

import hashlib
import os
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import duckdb
import ibis
import orjson
import pyarrow as pa

from .base import cache_file, cache_load, cache_save, ibis_backend
from .cooling import FACTOR, MIN_GAP_DAYS, WAS_REGULAR_WEEKS, last_day_keys, unpack
from .engagement import (
    COMPONENTS, ORG, Params, base_acts, first_weeks, intervals, person_weeks, sat, week_date, week_index,
)
from .influence import K_NEWCOMERS, K_RESPONDERS, NEWCOMER_WEEKS, newcomers, pagerank, responders
from .ties import direct_acts, exchange_weeks, exchanges, tie_points

LEVELS = ("observer", "participant", "regular", "standard_bearer")
TAGS = ("new", "offline-only", "online-only", "cooling", "prescriber")
NEW_WEEKS = 4


@dataclass
class ScoreSummary:
    from_week: date | None
    to_week: date | None
    weeks: int
    rows: int
    ties: int
    full: bool

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


# ------------------------------------------------------------------------------------------
# the seam: expressions become tables here, and only here. The statements of a run are
# recorded; a later run with the same settings replays them without rebuilding or
# recompiling the expressions (the run's weeks come from the one-row table _lien_run).

_PROFILE = bool(os.environ.get("LIEN_PROFILE"))


def _run(ws: Any, sql: str, params: list[Any] | None = None) -> list[Any]:
    """Execute and read the whole result (DuckDB keeps the connection busy until then)."""
    if not _PROFILE:
        return ws.con.execute(sql, params or []).fetchall()
    t, c = time.perf_counter(), time.process_time()
    out = ws.con.execute(sql, params or []).fetchall()
    print(f"[lien score] {time.perf_counter() - t:7.2f} s {time.process_time() - c:7.2f} cpu  "
          f"{' '.join(sql.split())[:100]}", file=sys.stderr)
    return out


class Plan:
    """The statements of one scoring run, in order; ``loop`` steps iterate to convergence."""

    def __init__(self, ws: Any, steps: list[tuple[Any, ...]] | None = None) -> None:
        self.ws = ws
        self.steps: list[tuple[Any, ...]] = steps or []

    def sql(self, sql: str) -> None:
        _run(self.ws, sql)
        self.steps.append(("sql", sql))

    def materialize(self, name: str, expr: Any) -> Any:
        self.sql(f'CREATE OR REPLACE TEMP TABLE "{name}" AS {ibis_backend(self.ws).compile(expr)}')
        return ibis_backend(self.ws).table(name)

    def replace_rows(self, table: str, expr: Any) -> None:
        """Replace the rows of ``table`` from the first week of the run with ``expr``."""
        self.sql(f"DELETE FROM {table} WHERE week >= (SELECT w0_date FROM _lien_run)")
        cols = ", ".join(expr.columns)
        self.sql(f"INSERT INTO {table} ({cols}) {ibis_backend(self.ws).compile(expr)}")

    def loop(self, bodies: list[str], check: str, max_iter: int, tol: float,
             finish: list[str] | None = None, alt: tuple[Any, ...] | None = None) -> None:
        step = ("loop", bodies, check, max_iter, tol, finish, alt)
        _loop(self.ws, *step[1:])
        self.steps.append(step)

    def replay(self) -> None:
        for step in self.steps:
            if step[0] == "sql":
                _run(self.ws, step[1])
            else:
                _loop(self.ws, *step[1:])


def _loop(ws: Any, bodies: list[str], check: str, max_iter: int, tol: float,
          finish: list[str] | None = None, alt: tuple[Any, ...] | None = None) -> None:
    """Run ``bodies`` in turn until ``check`` (one row of differences) shows one below ``tol``:
    the first such column ``j`` ends the loop, then ``finish[j]`` runs (the last one when
    ``max_iter`` is reached first). ``alt`` = (size query, threshold, bodies, check, max_iter,
    finish): used instead when the size query returns more than the threshold."""
    if alt is not None and _run(ws, alt[0])[0][0] > alt[1]:
        bodies, check, max_iter, finish = alt[2:]
    for it in range(max_iter):
        _run(ws, bodies[it % len(bodies)])
        if it % len(bodies) == len(bodies) - 1:
            for j, diff in enumerate(_run(ws, check)[0]):
                if diff is None or diff < tol:
                    if finish:
                        _run(ws, finish[j])
                    return
    if finish:
        _run(ws, finish[-1])


_PLANS: dict[str, Plan] = {}


def _plan_file(key: str) -> Any:
    return cache_file(f"score-plan-{key}.json")


def _load_plan(key: str) -> Plan | None:
    """A plan compiled before with the same settings and code (a cache: any problem = none)."""
    data = cache_load(_plan_file(key), key)
    return None if data is None else Plan(None, [tuple(s) for s in data["steps"]])


def _save_plan(key: str, plan: Plan) -> None:
    cache_save(_plan_file(key), {"key": key, "steps": plan.steps})


def values_table(ws: Any, name: str, columns: dict[str, list[Any]]) -> None:
    ws.con.register("_lien_values", pa.table(columns))
    try:
        _run(ws, f'CREATE OR REPLACE TEMP TABLE "{name}" AS SELECT * FROM _lien_values')
    finally:
        ws.con.unregister("_lien_values")


def materialize(ws: Any, name: str, expr: Any) -> Any:
    _run(ws, f'CREATE OR REPLACE TEMP TABLE "{name}" AS {ibis_backend(ws).compile(expr)}')
    return ibis_backend(ws).table(name)


def _drop_temps(ws: Any) -> None:
    for (name,) in _run(
            ws, "SELECT table_name FROM information_schema.tables WHERE table_name LIKE '\\_lien\\_%' ESCAPE '\\'"):
        _run(ws, f'DROP TABLE IF EXISTS "{name}"')


# ------------------------------------------------------------------------------------------
# what changed since the last run

def _digest(ws: Any) -> Any:
    b = ibis_backend(ws)
    a = b.table("activities")
    i = b.table("identities").select(iid="id", person_id="person_id", is_org="is_org", is_bot="is_bot")
    p = b.table("people").select(pid="id", role="role")
    j = a.join(i, a.identity_id == i.iid).join(p, i.person_id == p.pid, how="left")
    day = j.ts.date().delta(ibis.date(1970, 1, 1), unit="day")
    week = ((day + 3) / 7).floor().cast("int64")
    s = (j.id + "|" + j.kind + "|" + j.ts.cast("string") + "|" + j.person_id.fill_null("") + "|"
         + j.is_org.cast("string") + j.is_bot.cast("string") + "|" + j.role.fill_null("") + "|"
         + j.channel + "|" + j.thread_id.fill_null("") + "|" + j.in_reply_to.fill_null("") + "|"
         + j.target_identity_id.fill_null(""))
    h = s.hash() % 1_000_000_007
    g = j.mutate(week=week, h=h).group_by("week").aggregate(acts=ibis._.count(), digest=ibis._.h.sum())
    return g


_DIGEST_SQL: str | None = None


def _code_version() -> str:
    """Changes whenever the model's code or Ibis does: a stored plan is then rebuilt."""
    from pathlib import Path

    h = hashlib.sha256(ibis.__version__.encode())
    for mod in ("engagement", "ties", "influence", "cooling", "snapshots"):
        h.update((Path(__file__).parent / f"{mod}.py").read_bytes())
    return h.hexdigest()[:16]


_CODE = _code_version()


def _settings_key(ws: Any, p: Params, has_events: bool) -> str:
    raw = orjson.dumps({"model": ws.config.model, "has_events": has_events, "code": _CODE},
                       option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(raw).hexdigest()[:16]


def _meta(ws: Any, key: str) -> str | None:
    rows = _run(ws, "SELECT value FROM meta WHERE key = ?", [key])
    return rows[0][0] if rows else None


def _set_meta(ws: Any, key: str, value: str) -> None:
    _run(ws, "INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])


def has_events(ws: Any) -> bool:
    return bool(_run(ws, """SELECT (SELECT count(*) FROM events) > 0 OR EXISTS
        (SELECT 1 FROM activities WHERE kind IN ('attend','volunteer','speak','host'))""")[0][0])


# ------------------------------------------------------------------------------------------
# scoring

def score(ws: Any, *, full: bool = False, today: date | None = None) -> ScoreSummary:
    """Compute the weekly snapshots for every week that new data touches (all with ``full``)."""
    p = Params.from_config(ws.config.model)
    # no statement of the run needs its rows kept in insertion order: letting DuckDB drop
    # that order makes the big CREATE/INSERTs cheaper (the setting is put back afterwards)
    order = _run(ws, "SELECT current_setting('preserve_insertion_order')")[0][0]
    _run(ws, "SET preserve_insertion_order = false")
    try:
        with ws.transaction():
            # on failure the transaction's rollback drops the temp tables (the error is kept)
            out = _score(ws, p, full, today or date.today())
            _drop_temps(ws)
            from .sqlcache import mark_run

            mark_run(ws)  # what was stored from the snapshots before this run no longer holds
            return out
    finally:
        try:
            _run(ws, f"SET preserve_insertion_order = {'true' if order else 'false'}")
        except duckdb.TransactionException:
            pass  # inside an outer transaction that a failure aborted: its rollback follows


def _score(ws: Any, p: Params, full: bool, today: date) -> ScoreSummary:
    events = has_events(ws)
    key = _settings_key(ws, p, events)
    global _DIGEST_SQL
    if _DIGEST_SQL is None:  # compiled once per process: a run with a stored plan needs no Ibis at all
        _DIGEST_SQL = ibis_backend(ws).compile(_digest(ws))
    _run(ws, f'CREATE OR REPLACE TEMP TABLE "_lien_digest" AS {_DIGEST_SQL}')
    bounds = _run(ws, "SELECT min(week), max(week) FROM _lien_digest")[0]
    if bounds[0] is None:
        for t in ("score_weeks", "tie_weeks", "pagerank_months", "score_input"):
            _run(ws, f"DELETE FROM {t}")
        _set_meta(ws, "score.settings", key)
        return ScoreSummary(None, None, 0, 0, 0, True)
    first, last = int(bounds[0]), int(bounds[1])
    end = max(last, week_index(today) - 1)
    prev_end = _meta(ws, "score.end")
    if full or _meta(ws, "score.settings") != key or prev_end is None:
        W0 = first
        full = True
    else:
        changed = _run(ws, """
            SELECT min(coalesce(n.week, datediff('day', DATE '1969-12-29', o.week) // 7))
            FROM _lien_digest n FULL OUTER JOIN
                 (SELECT * FROM score_input) o ON n.week = datediff('day', DATE '1969-12-29', o.week) // 7
            WHERE n.acts IS DISTINCT FROM o.acts OR n.digest IS DISTINCT FROM o.digest""")[0][0]
        W0 = int(changed) if changed is not None else int(prev_end) + 1
        W0 = max(W0, first)
        if W0 > end:
            return ScoreSummary(None, None, 0, 0, 0, False)
    compute_from = W0 - WAS_REGULAR_WEEKS - 14
    grid_from = compute_from - p.lookback - 1
    _calendar(ws, grid_from, end, p)
    values_table(ws, "_lien_run", {
        "w0": pa.array([W0], pa.int64()), "grid_from": pa.array([grid_from], pa.int64()),
        "end_w": pa.array([end], pa.int64()), "w0_date": pa.array([week_date(W0)], pa.date32())})
    plan = _PLANS.get(key) or _load_plan(key)
    if plan is not None:
        plan.ws = ws
        plan.replay()
    else:
        plan = Plan(ws)
        _compute(plan, p, events)
        _save_plan(key, plan)
    _PLANS[key] = plan
    rows = _run(ws, """SELECT (SELECT count(*) FROM score_weeks WHERE week >= ?),
                              (SELECT count(*) FROM tie_weeks WHERE week >= ?)""", [week_date(W0)] * 2)[0]
    _run(ws, "DELETE FROM score_input")
    _run(ws, """INSERT INTO score_input SELECT DATE '1969-12-29' + CAST(week * 7 AS INTEGER), acts, digest
                      FROM _lien_digest""")
    _set_meta(ws, "score.settings", key)
    _set_meta(ws, "score.end", str(end))
    return ScoreSummary(week_date(W0), week_date(end), end - W0 + 1, rows[0], rows[1], full)


def _calendar(ws: Any, grid_from: int, end: int, p: Params) -> None:
    weeks = list(range(grid_from, end + 1))
    is_me, seg, mi, cur = [], [], [], grid_from
    for w in weeks:
        sunday = week_date(w) + timedelta(days=6)
        thursday = week_date(w) + timedelta(days=3)
        mi.append(thursday.year * 12 + thursday.month - 1)
        me = p.demotion == "weekly" or (sunday + timedelta(days=7)).month != sunday.month
        if me:
            cur = w
        is_me.append(me)
        seg.append(cur)
    values_table(ws, "_lien_cal", {"week": pa.array(weeks, pa.int64()), "is_me": pa.array(is_me),
                                          "seg": pa.array(seg, pa.int64()), "mi": pa.array(mi, pa.int64())})


def _compute(plan: Plan, p: Params, events: bool) -> None:
    ws = plan.ws
    b = ibis_backend(ws)
    M = plan.materialize
    run = b.table("_lien_run")
    W0, grid_from, end = (run.select(c).as_scalar() for c in ("w0", "grid_from", "end_w"))
    cal = b.table("_lien_cal")
    L = p.lookback
    W13 = p.online_window
    W26 = 26
    wts = p.effective_weights(events)

    acts = M("_lien_acts", base_acts(b, grid_from, end))
    pw = M("_lien_pw", person_weeks(acts, p))
    direct = M("_lien_direct", direct_acts(acts))
    ex = M("_lien_ex", exchanges(direct, p))

    # ties: weekly points for the weeks being (re)computed
    tp = tie_points(acts, direct, ex, p)
    tp = tp.filter(tp.week >= W0).mutate(week=ibis.date(1969, 12, 29) + (tp.week * 7).as_interval("D"))
    plan.replace_rows("tie_weeks", tp.select("a", "b", "week", "reciprocated", "one_way", "co_attendance",
                                             "reactions", "online_points", "offline_points", "points"))

    # interval deltas: counterparts (decayed and counted), channels, responders, newcomers
    exw = exchange_weeks(ex)
    exw = exw.filter(exw.person != ORG)
    sub = acts.filter(acts.scored & acts.kind.isin(("post", "comment", "reply", "message", "mention",
                                                    "attend", "volunteer", "speak", "host")))
    chan = sub.select(person=sub.actor, other=ibis.ifelse(sub.kind.isin(("attend", "volunteer", "speak", "host")),
                                                          "offline", sub.channel), week=sub.week).distinct()
    resp = responders(direct)
    newc = newcomers(b)
    newc = newc.filter(newc.week >= grid_from)
    parts = [
        intervals(exw, L, 1.0, p.h_online, grid_from, "d_rec"),
        intervals(exw, W13, 1.0, None, grid_from, "d_cp"),
        intervals(chan, W13, 1.0, None, grid_from, "d_ch"),
        intervals(resp, L, 1.0, p.h_online, grid_from, "d_a"),
        intervals(newc, NEWCOMER_WEEKS, 1.0, None, grid_from, "d_n"),
    ]
    # months (calendar, by each week's Thursday) with a check-in: a month counts from its
    # first check-in until the week the window of `offline_window_months` months leaves it
    off = acts.filter(acts.scored & acts.kind.isin(("attend", "volunteer", "speak", "host")))
    off = off.join(cal, off.week == cal.week).group_by(person=off.actor, mi=cal.mi).aggregate(week=off.week.min())
    starts = cal.group_by("mi").aggregate(first=cal.week.min())
    off = off.left_join(starts, off.mi + p.offline_window_months == starts.mi)
    off = off.mutate(end=off.first.fill_null(end + 1))
    mdelta = off.select(person=off.person, week=off.week, delta=ibis.literal(1.0)).union(
        off.select(person=off.person, week=off.end, delta=ibis.literal(-1.0)), distinct=False)
    parts.append(mdelta.group_by("person", "week").aggregate(d_m=ibis._.delta.sum()))
    names = ["d_rec", "d_cp", "d_ch", "d_a", "d_n", "d_m"]
    u = None
    for name, part in zip(names, parts):
        part = part.select("person", "week", **{n: (part[name] if n == name else ibis.literal(0.0)) for n in names})
        u = part if u is None else u.union(part, distinct=False)
    deltas = M("_lien_deltas", u.group_by("person", "week").aggregate(**{n: u[n].sum() for n in names}))
    keys = M("_lien_dkeys", last_day_keys(acts, L))

    # the dense person × week grid, built in narrow passes: a window operator sorts every
    # column it carries, so the passes carry integer person keys (pk) and the numbers they
    # need; the strings (person id, role) join back at the end
    recv = acts.filter(acts.dst.notnull() & (acts.dst != ORG)).select(person=acts.dst, week=acts.week)
    span = pw.select("person", "week").union(recv, distinct=False)
    span = span.group_by("person").aggregate(lo=span.week.min(), hi=span.week.max())
    span = span.mutate(pk=ibis.row_number().over(order_by="person"))
    fw = first_weeks(b)
    roles = b.table("people").select(pid="id", role="role")
    span = span.left_join(fw, "person").drop("person_right")
    span = M("_lien_span", span.left_join(roles, span.person == roles.pid).drop("pid"))
    ids = span.select(sp_person="person", sp_pk="pk")

    # what happened per (pk, week): the week's aggregates, the interval deltas, the day key
    nums = ("conv", "n_online", "light", "n_acts", "off", "n_checkins", *names)
    zero = ibis.literal(0.0)
    srcs = [(pw, ("conv", "n_online", "light", "n_acts", "off", "n_checkins")), (deltas, tuple(names)), (keys, ())]
    u = None
    for t, have in srcs:
        part = t.select("person", "week", dkey=t.dkey if "dkey" in t.columns else ibis.null("int64"),
                        **{n: (t[n].cast("float64") if n in have else zero) for n in nums})
        u = part if u is None else u.union(part, distinct=False)
    u = u.join(ids, u.person == ids.sp_person)
    sparse = u.group_by(pk=u.sp_pk, week=u.week).aggregate(dkey=u.dkey.max(), **{n: u[n].sum() for n in nums})

    grid = span.select("pk", "first_week", week=ibis.range(span.lo, ibis.least(span.hi + L, end + 1)).unnest())
    g = grid.join(cal.select("week", "is_me", "seg"), "week").left_join(sparse, ["pk", "week"])
    g = g.drop("pk_right", "week_right")
    g = g.mutate(dkey=g.dkey.fill_null(0), **{n: g[n].fill_null(0.0) for n in nums})

    # one window pass: decayed sums over the lookback (trailing sums of q·2^(w/h), scaled
    # back), counts over trailing windows (the last k rows: each person's weeks are
    # consecutive rows) and cumulative sums of the interval deltas
    cw = ibis.cumulative_window(group_by="pk", order_by="week")

    def trailing(x: Any, k: int) -> Any:
        return x.sum().over(ibis.window(group_by="pk", order_by="week", preceding=k - 1, following=0))

    rel = (g.week - grid_from).cast("float64")

    def decayed(x: Any, h: float) -> Any:
        return 2.0 ** (-rel / h) * trailing(x * 2.0 ** (rel / h), L)

    g = g.select(
        "pk", "week", "is_me", "seg", "first_week",
        x_offline=decayed(g.off, p.h_offline),
        x_conversation=decayed(g.conv, p.h_online),
        x_light=decayed(g.light, p.h_online),
        x_reciprocity=2.0 ** (-rel / p.h_online) * g.d_rec.sum().over(cw),
        responders=2.0 ** (-rel / p.h_online) * g.d_a.sum().over(cw),
        online_weeks=trailing((g.n_online > 0).cast("float64"), W13).cast("int32"),
        online_13w=trailing(g.n_online, W13).cast("int32"),
        checkins_13w=trailing(g.n_checkins, W13).cast("int32"),
        checkins_26w=trailing(g.n_checkins, W26).cast("int32"),
        acts_lookback=trailing(g.n_acts, L),
        offline_months=g.d_m.sum().over(cw).round().cast("int32"),
        counterparts_13w=g.d_cp.sum().over(cw).round().cast("int32"),
        channels=g.d_ch.sum().over(cw).round().cast("int32"),
        newcomers=g.d_n.sum().over(cw).round().cast("int32"),
        k_day=g.dkey.max().over(cw),
    )
    g1 = M("_lien_grid1", g)

    # the level rule of the week, then (narrow windows) promotion at once, demotion only at a
    # month's last week, to the best level of the last `grace` weeks (so someone below their
    # level for `grace` weeks moves down then), and the best level of the last 26 weeks
    v_reg = ibis.greatest(ibis.least(1.0, g1.online_weeks / p.online_weeks_full),
                          ibis.least(1.0, g1.offline_months / p.offline_months_full))
    subst = g1.online_13w + g1.checkins_13w
    n3 = ((v_reg >= 1.0) & ((g1.checkins_26w >= 2) if events else ibis.literal(True))
          & (g1.online_13w >= 6) & (g1.counterparts_13w >= 3) & ((g1.week - g1.first_week) >= 13))
    n2 = (v_reg >= 0.5) & (subst >= 3)
    rule = ibis.cases((n3, 3), (n2, 2), (subst >= 1, 1), else_=0).cast("int8")
    lv = g1.select("pk", "week", "is_me", "seg", level_rule=rule)
    grace = ibis.window(group_by="pk", order_by="week", preceding=max(p.grace - 1, 0), following=0)
    lv = lv.mutate(gmax=lv.level_rule.max().over(grace))
    seg = ibis.cumulative_window(group_by=["pk", "seg"], order_by="week")
    lv = lv.mutate(level=ibis.ifelse(lv.is_me, lv.gmax, lv.level_rule).max().over(seg).cast("int8"))
    lv = lv.mutate(was_regular=lv.level.max().over(ibis.window(group_by="pk", order_by="week",
                                                               preceding=WAS_REGULAR_WEEKS - 1, following=0)))
    lv = M("_lien_levels", lv.filter(lv.week >= W0).select(
        lv_pk="pk", lv_week="week", level_rule="level_rule", level="level", was_regular="was_regular"))

    # PageRank (by month-end week), then per row: prescriber score and its decile
    me = M("_lien_me", cal.filter(cal.is_me & (cal.week >= W0 - 6)).select(m=cal.week))
    pr = M("_lien_pr", pagerank(direct.filter(direct.week > W0 - 6 - 26), me, plan))
    prw = pr.filter(pr.week >= W0)
    plan.replace_rows("pagerank_months", prw.mutate(week=ibis.date(1969, 12, 29) + (prw.week * 7).as_interval("D")))
    prs = pr.join(ids, pr.node == ids.sp_person).select(pr_week=pr.week, pr_pk=ids.sp_pk, pct=pr.pct)
    g = g1.filter((g1.week >= W0) & (g1.acts_lookback > 0))
    g = g.left_join(prs, [g.seg == prs.pr_week, g.pk == prs.pr_pk]).drop("pr_week", "pr_pk")
    sp = span.select(s_pk="pk", person="person", role="role", first_sub_week="first_sub_week")
    g = g.join(sp, g.pk == sp.s_pk).drop("s_pk")
    g = g.mutate(pagerank_pct=g.pct.fill_null(0.0), comm=g.role.fill_null("community") == "community")
    g = g.mutate(prescriber=40 * sat(g.responders, K_RESPONDERS) + 30 * g.pagerank_pct
                 + 30 * sat(g.newcomers.cast("float64"), K_NEWCOMERS))
    # the prescriber decile of the week among community people: only its top decile matters,
    # and only for scores of 50 or more (the tag's other condition), so the percent rank
    # (rank − 1) / (n − 1) counts the week's people below 50 plus the rank among those at 50
    # or more: a window over a few rows instead of over every person-week (which could not
    # spill at 10M acts under the workspace's memory limit)
    d = g.filter(g.comm).select("pk", "week", "prescriber")
    per_week = d.group_by(n_week="week").aggregate(n=d.count(), low=(d.prescriber < 50).sum())
    hi = d.filter(d.prescriber >= 50)
    hi = hi.mutate(r=ibis.rank().over(ibis.window(group_by=hi.week, order_by=hi.prescriber)))  # 0-based
    hi = hi.join(per_week, hi.week == per_week.n_week)
    decile = ibis.ifelse(hi.n > 1, (hi.low + hi.r).cast("float64") / (hi.n - 1).cast("float64"), 0.0)
    d = M("_lien_top", hi.filter(decile >= 0.9).select(d_pk="pk", d_week="week", top=ibis.literal(True)))
    g = g.join(lv, [g.pk == lv.lv_pk, g.week == lv.lv_week]).drop("lv_pk", "lv_week")
    g = g.left_join(d, [g.pk == d.d_pk, g.week == d.d_week]).drop("d_pk", "d_week")

    # values, points, the PES, cooling and tags: computed as the rows are written
    v = {
        "offline": sat(ibis.greatest(g.x_offline, 0.0), p.k["offline"]),
        "conversation": sat(ibis.greatest(g.x_conversation, 0.0), p.k["conversation"]),
        "reciprocity": sat(ibis.greatest(g.x_reciprocity, 0.0), p.k["reciprocity"]),
        "regularity": ibis.greatest(ibis.least(1.0, g.online_weeks / p.online_weeks_full),
                                    ibis.least(1.0, g.offline_months / p.offline_months_full)),
        "breadth": ibis.cases((g.channels >= 3, 1.0), (g.channels == 2, 0.6), else_=0.0),
        "light": sat(ibis.greatest(g.x_light, 0.0), p.k["light"]),
    }
    g = g.mutate(**{f"v_{c}": v[c] for c in COMPONENTS})
    g = g.mutate(**{f"p_{c}": g[f"v_{c}"] * wts[c] for c in COMPONENTS})
    g = g.mutate(pes=g.p_offline + g.p_conversation + g.p_reciprocity + g.p_regularity + g.p_breadth + g.p_light)
    last_day, med = unpack(g.k_day)
    g = g.mutate(last_day=ibis.ifelse(g.k_day > 0, last_day, ibis.null("int64")),
                 median_gap_days=ibis.ifelse(g.k_day > 0, med, ibis.null("float64")))
    silent = g.week * 7 + 3 - g.last_day  # days from the last active day to the week's Sunday
    g = g.mutate(cooling=(g.was_regular >= 2) & g.last_day.notnull() & (
        silent > ibis.greatest(MIN_GAP_DAYS, FACTOR * g.median_gap_days.fill_null(0))))
    tag = lambda cond, name: ibis.ifelse(cond, ibis.literal(name), ibis.null("string"))  # noqa: E731
    tags = ibis.array([
        tag(g.first_sub_week.notnull() & (g.week - g.first_sub_week < NEW_WEEKS), "new"),
        tag((g.level >= 2) & (g.online_13w == 0) & (g.checkins_26w > 0), "offline-only"),
        tag((g.level >= 2) & (g.offline_months == 0) & (g.online_13w > 0) & ibis.literal(events), "online-only"),
        tag(g.cooling, "cooling"),
        tag((g.prescriber >= 50) & (g.newcomers >= 1) & g.top.notnull() & g.comm, "prescriber"),
    ])
    g = g.mutate(tags=tags.filter(lambda x: x.notnull()))
    as_date = lambda w: ibis.date(1969, 12, 29) + (w * 7).as_interval("D")  # noqa: E731
    out = g.select(
        person_id=g.person, week=as_date(g.week), role=g.role.fill_null("community"),
        x_offline=g.x_offline, x_conversation=g.x_conversation, x_reciprocity=g.x_reciprocity, x_light=g.x_light,
        online_weeks=g.online_weeks, offline_months=g.offline_months, channels=g.channels,
        **{f"v_{c}": g[f"v_{c}"] for c in COMPONENTS}, **{f"p_{c}": g[f"p_{c}"] for c in COMPONENTS},
        pes=g.pes, substantive_13w=(g.online_13w + g.checkins_13w).cast("int32"), online_13w=g.online_13w,
        checkins_13w=g.checkins_13w, checkins_26w=g.checkins_26w, counterparts_13w=g.counterparts_13w,
        first_week=as_date(g.first_week), first_substantive_week=as_date(g.first_sub_week),
        last_substantive=ibis.date(1970, 1, 1) + g.last_day.as_interval("D"),
        median_gap_days=g.median_gap_days, level_rule=g.level_rule, level=g.level, tags=g.tags,
        responders=g.responders, newcomers=g.newcomers, pagerank_pct=g.pagerank_pct, prescriber=g.prescriber,
    )
    plan.replace_rows("score_weeks", out)
