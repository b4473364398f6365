"""Goals: an indicator of MODEL.md §8, a target, a deadline, a scope; checked with a pace and a verdict.

Indicators (codes; variants after a dash measure the second half of a two-part objective):

==========  ==============================================================  ====  ========
code        value                                                           unit  default
==========  ==============================================================  ====  ========
R1          items answered within 72 h (``response.unanswered_hours``)      %     ≥ 100
R1-24h      items answered within 24 h (``response.target_hours``)          %     ≥ 90
R2          median time to first response (active_hours if set)              h     ≤ 4
R3          newcomers' first items answered within 72 h                      %     ≥ 95
P1          weeks with a publication of ours, out of the last 13            weeks ≥ 11
P1-silence  longest silence in those 13 weeks                                days  ≤ 14
D1          dialogue ratio: our replies / our posts                          ratio ≥ 1
D2          conversation depth: deep threads / threads                       %     baseline + 5
L1          gravity of the ladder (part A's level snapshots)                 —     > 0
L1-N2       people at level regular (N2)                                     count baseline + 2
L1-N3       standard-bearers (N3)                                            count baseline + 1
E1          show-up rate of the quarter                                      %     ≥ 60
E2          first-timer return of the quarter                                %     ≥ 33.3
E3          online→offline conversion of the quarter                         %     baseline + 5
E4          offline→online activation of the quarter                         %     (tracked)
N1          newcomer retention: newcomers still active 90 days later         %     (tracked)
B1          bridging: attendees' exchanges with non-attendees, quarter       %     (tracked)
==========  ==============================================================  ====  ========

R, P and D figures cover the 13 weeks ending with the week checked; E figures the calendar
quarter containing it. A goal is checked at the as-of week, or at its deadline once passed.

Verdict: after the deadline, **met** or **missed**. Before it: **on track** when the target is
already reached, or when the progress since the baseline (the value when the goal was added), at
the same pace, reaches the target by the deadline; otherwise **at risk**. The pace needed is the
gap divided by the weeks left.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Callable

from .. import i18n
from ..errors import NotFound, UsageError
from .base import parse_date, resolve_as_of, week_end


@dataclass(frozen=True)
class Indicator:
    code: str
    unit: str
    comparison: str
    default_target: float | None  # None: no default objective
    relative: bool = False        # default target = baseline + default_target


INDICATORS: dict[str, Indicator] = {i.code: i for i in (
    Indicator("R1", "%", ">=", 100.0),
    Indicator("R1-24h", "%", ">=", 90.0),
    Indicator("R2", "h", "<=", 4.0),
    Indicator("R3", "%", ">=", 95.0),
    Indicator("P1", "weeks", ">=", 11.0),
    Indicator("P1-silence", "days", "<=", 14.0),
    Indicator("D1", "ratio", ">=", 1.0),
    Indicator("D2", "%", ">=", 5.0, relative=True),
    Indicator("L1", "", ">", 0.0),
    Indicator("L1-N2", "people", ">=", 2.0, relative=True),
    Indicator("L1-N3", "people", ">=", 1.0, relative=True),
    Indicator("E1", "%", ">=", 60.0),
    Indicator("E2", "%", ">=", 33.3),
    Indicator("E3", "%", ">=", 5.0, relative=True),
    Indicator("E4", "%", ">=", None),
    Indicator("N1", "%", ">=", None),
    Indicator("B1", "%", ">=", None),
)}
COMPARISONS = (">=", ">", "<=", "<")


def _quarter(d: date) -> str:
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


def quarter_end(d: date) -> date:
    m = ((d.month - 1) // 3 + 1) * 3
    nxt = date(d.year + (m == 12), 1 if m == 12 else m + 1, 1)
    return nxt - timedelta(days=1)


def indicator_code(code: str) -> str:
    """The indicator's code, whatever its case; a UsageError naming the known ones otherwise."""
    known = {k.lower(): k for k in INDICATORS}
    if code.lower() not in known:
        raise UsageError(f"unknown indicator '{code}' (known: {', '.join(INDICATORS)})")
    return known[code.lower()]


def value(ws: Any, code: str, week: date, scope: str | None = None) -> tuple[float | None, str]:
    """The indicator's value at the as-of week (None: no data or not computed) and its basis."""
    code = indicator_code(code)
    fn = _COMPUTE.get(code.split("-")[0])
    if fn is None:
        return None, i18n.t("goals.not_computed")
    return fn(ws, code, week, scope)


def _once(ws: Any, key: tuple[Any, ...], fn: Callable[[], Any]) -> Any:
    """``fn()`` once per key inside a :func:`~lien.metrics.sqlcache.shared` block (a check asks
    several indicators of the same computation), and stored in the workspace for the data as it
    is (:func:`~lien.metrics.sqlcache.stored`: the next check, another page, reads it back)."""
    from .sqlcache import memo, stored

    m = memo(ws)
    if m is None:
        return fn()
    if key not in m:
        m[key] = stored(ws, key, fn)
    return m[key]


def _resp(ws: Any, code: str, week: date, scope: str | None) -> tuple[float | None, str]:
    from .responsiveness import responsiveness

    o = _once(ws, ("goals.resp", week, scope), lambda: responsiveness(ws, week, channel=scope))["overall"]
    if code == "R1":
        return o["coverage_limit"], i18n.t("goals.basis.of", n=o["within_limit"], d=o["eligible_limit"])
    if code == "R1-24h":
        return o["coverage_target"], i18n.t("goals.basis.of", n=o["within_target"], d=o["eligible_target"])
    if code == "R2":
        return o["median_hours"], i18n.t("goals.basis.answered", n=o["answered"])
    return o["newcomer_coverage"], i18n.t("goals.basis.of", n=o["newcomers_answered"], d=o["newcomer_items"])


def _pres(ws: Any, code: str, week: date, scope: str | None) -> tuple[float | None, str]:
    from .presence import overall

    o = _once(ws, ("goals.pres", week, scope), lambda: overall(ws, week, channel=scope))
    if code == "P1":
        return float(o["presence_weeks"]), i18n.t("goals.basis.pubs", n=o["publications"])
    if code == "P1-silence":
        return o["longest_silence_days"], i18n.t("goals.basis.pubs", n=o["publications"])
    if code == "D1":
        return o["dialogue_ratio"], i18n.t("goals.basis.of", n=o["org_replies"], d=o["org_posts"])
    return o["depth_pct"], i18n.t("goals.basis.of", n=o["deep_threads"], d=o["threads"])


def _events(ws: Any, code: str, week: date, scope: str | None) -> tuple[float | None, str]:
    from .events import events

    q = _quarter(week)
    data = _once(ws, ("goals.events", week, scope), lambda: events(ws, week, channel=scope, limit=1))
    rows = [r for r in data["quarters"] if r["quarter"] == q]
    if not rows:
        return None, i18n.t("goals.basis.no_events", q=q)
    r = rows[0]
    key, n, d = {"E1": ("show_up_pct", "show_up_checkins", "show_up_rsvp_yes"), "E2": ("return_pct", "returned", "first_timers"),
                 "E3": ("conversion_pct", "converted", "online_people"),
                 "E4": ("activation_pct", "activated", "attendees")}[code]
    return r[key], f"{q}: " + i18n.t("goals.basis.of", n=r[n], d=r[d])


def _ladder(ws: Any, code: str, week: date, scope: str | None) -> tuple[float | None, str]:
    try:
        from .levels import levels
    except ImportError:
        return None, i18n.t("goals.not_computed")
    try:
        if not ws.rows("SELECT 1 AS x FROM score_weeks LIMIT 1"):
            return None, i18n.t("goals.not_scored")
        months = _once(ws, ("goals.levels", week), lambda: levels(ws, as_of=week, months=1))["months"]
    except Exception as e:  # the snapshot tables are missing: the model was never scored
        if "score_weeks" in str(e):
            return None, i18n.t("goals.not_scored")
        raise
    if not months:
        return None, i18n.t("goals.not_scored")
    m = months[-1]
    if code == "L1":
        return float(m["gravity"]), i18n.t("goals.basis.members", n=m["members"], month=m["month"])
    lv = "regular" if code == "L1-N2" else "standard_bearer"
    return float(m["counts"][lv]), i18n.t("goals.basis.members", n=m["members"], month=m["month"])


def _newcomers(ws: Any, code: str, week: date, scope: str | None) -> tuple[float | None, str]:
    """N1: people whose first substantive act fell in the 13 weeks ending 90 days before the as-of
    week, still active (a substantive act) 90 days or more after it."""
    from .base import ibis_backend
    from .responsiveness import SUBSTANTIVE, _notice, period_end, roles

    end = period_end(week)
    b = ibis_backend(ws)
    a = b.table("activities")
    r = roles(ws)
    a = a.filter((a.ts < end) & a.kind.isin(SUBSTANTIVE) & ~_notice(a))
    if scope:
        a = a.filter(a.channel == scope)
    a = a.join(r, a.identity_id == r.identity_id).filter(lambda t: ~t.us & ~t.bot)
    p = a.group_by("person_id").aggregate(first=a.ts.min(), last=a.ts.max())
    hi = end - timedelta(days=90)
    p = p.filter((p.first >= hi - timedelta(weeks=13)) & (p.first < hi))
    x = p.aggregate(n=p.count(), kept=(p.last >= p.first + timedelta(days=90)).sum()).to_pyarrow().to_pylist()[0]
    n, kept = int(x["n"] or 0), int(x["kept"] or 0)
    return (round(100.0 * kept / n, 1) if n else None), i18n.t("goals.basis.of", n=kept, d=n)


def _bridge(ws: Any, code: str, week: date, scope: str | None) -> tuple[float | None, str]:
    """B1 of the calendar quarter holding the week (see :mod:`lien.metrics.bridging`)."""
    from .bridging import bridging

    q = _quarter(week)
    data = _once(ws, ("goals.bridging", week, scope), lambda: bridging(ws, week, channel=scope))
    if not data["scored"]:
        return None, i18n.t("goals.not_scored")
    row = next((r for r in data["quarters"] if r["quarter"] == q), None)
    if row is None:
        return None, i18n.t("goals.basis.no_events", q=q)
    return row["bridging_pct"], f"{q}: " + i18n.t("goals.basis.of", n=row["bridging"], d=row["exchanges"])


_COMPUTE: dict[str, Callable[..., tuple[float | None, str]]] = {
    "R1": _resp, "R2": _resp, "R3": _resp, "P1": _pres, "D1": _pres, "D2": _pres,
    "L1": _ladder, "E1": _events, "E2": _events, "E3": _events, "E4": _events, "N1": _newcomers,
    "B1": _bridge,
}


def _ok(v: float, cmp: str, target: float) -> bool:
    return {">=": v >= target, ">": v > target, "<=": v <= target, "<": v < target}[cmp]


def _prepare(ws: Any, code: str, target: float | None, deadline: str | date | None, scope: str | None,
             comparison: str | None, note: str | None, today: date | None) -> list[Any]:
    code = indicator_code(code)
    ind = INDICATORS[code]
    cmp = comparison or ind.comparison
    if cmp not in COMPARISONS:
        raise UsageError(f"--comparison: expected one of {', '.join(COMPARISONS)}, found '{cmp}'")
    week = resolve_as_of(ws, None, today=today)
    dl = parse_date(deadline, "--deadline") if deadline else quarter_end(week)
    base, _ = value(ws, code, week, scope)
    if target is None:
        if ind.default_target is None:
            raise UsageError(f"{code} has no default target: give --target")
        if ind.relative:
            if base is None:
                raise UsageError(f"{code}: the default target is the current value + {ind.default_target:g}, "
                                 f"and there is no current value yet: give --target")
            target = round(base + ind.default_target, 1)
        else:
            target = ind.default_target
    return [code, scope, float(target), cmp, dl, datetime.combine(week, datetime.min.time()), base, note]


def _insert(ws: Any, rows: list[list[Any]]) -> list[dict[str, Any]]:
    ids = []
    with ws.transaction():
        for r in rows:
            gid = ws.con.execute("SELECT nextval('goal_ids')").fetchall()[0][0]
            ws.con.execute("INSERT INTO goals (id, metric, scope, target, comparison, deadline, created_at, baseline, "
                           "note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [gid, *r]).fetchall()
            ids.append(int(gid))
    return [get(ws, i) for i in ids]


def add(ws: Any, code: str, target: float | None = None, deadline: str | date | None = None, *,
        scope: str | None = None, comparison: str | None = None, note: str | None = None,
        today: date | None = None) -> dict[str, Any]:
    """Add a goal; its baseline is the indicator's value now (the last complete week); the
    default deadline is the end of that week's quarter."""
    return _insert(ws, [_prepare(ws, code, target, deadline, scope, comparison, note, today)])[0]


def add_defaults(ws: Any, deadline: str | date | None = None, *, today: date | None = None) -> dict[str, Any]:
    """MODEL.md's default quarterly objectives, all or nothing; those that need a baseline that
    does not exist yet (no data for D2/E3, no level snapshots for L1-N2/N3) are skipped and listed."""
    rows, skipped = [], []
    for code, ind in INDICATORS.items():
        if ind.default_target is None:
            continue
        try:
            rows.append(_prepare(ws, code, None, deadline, None, None, None, today))
        except UsageError as e:
            skipped.append({"metric": code, "reason": e.message.split(": ", 1)[-1]})
    return {"added": _insert(ws, rows), "skipped": skipped}


def proposal(added: dict[str, Any] | None = None) -> str:
    """What ``lien init`` says about goals: the defaults it proposes, or those it added."""
    if added is not None:
        return i18n.t("goals.init_added", n=len(added["added"]))
    lines = [i18n.t("goals.init_proposal")]
    for code, ind in INDICATORS.items():
        if ind.default_target is None:
            continue
        tgt = (i18n.t("goals.init_relative", d=f"{ind.default_target:g}") if ind.relative
               else f"{ind.comparison} {ind.default_target:g}")
        lines.append(f"  {code:<11} {i18n.t('goals.name.' + code)} {tgt}")
    lines.append(i18n.t("goals.init_how"))
    return "\n".join(lines)


def get(ws: Any, goal_id: int) -> dict[str, Any]:
    rows = ws.rows("SELECT * FROM goals WHERE id = ?", [goal_id])
    if not rows:
        raise NotFound(f"no goal #{goal_id} (lien goals list shows them)")
    return _row(rows[0])


def _row(r: dict[str, Any]) -> dict[str, Any]:
    return {"id": int(r["id"]), "metric": r["metric"], "name": i18n.t(f"goals.name.{r['metric']}"),
            "scope": r["scope"], "comparison": r["comparison"], "target": r["target"], "deadline": r["deadline"],
            "created_at": r["created_at"], "baseline": r["baseline"], "note": r["note"]}


def list_goals(ws: Any) -> list[dict[str, Any]]:
    return [_row(r) for r in ws.rows("SELECT * FROM goals ORDER BY deadline, id")]


def remove(ws: Any, goal_id: int) -> None:
    get(ws, goal_id)
    ws.con.execute("DELETE FROM goals WHERE id = ?", [goal_id]).fetchall()


def check(ws: Any, as_of: str | date | None = None) -> dict[str, Any]:
    """Every goal's current value, the pace needed and a verdict, explained in one sentence."""
    from .sqlcache import shared

    week = resolve_as_of(ws, as_of)
    out = []
    with shared(ws):
        for g in list_goals(ws):
            at = min(week, week_end(g["deadline"]))
            v, basis = value(ws, g["metric"], at, g["scope"])
            out.append(_verdict(g, v, basis, week, at))
    return {"as_of": week, "goals": out}


def _verdict(g: dict[str, Any], v: float | None, basis: str, week: date, at: date) -> dict[str, Any]:
    cmp, target, dl = g["comparison"], float(g["target"]), g["deadline"]
    weeks_left = max(0.0, (dl - week).days / 7)
    created = g["created_at"].date() if isinstance(g["created_at"], datetime) else g["created_at"]
    elapsed = max(0.0, (at - created).days / 7) if created else 0.0
    name = g["name"]
    res = {**g, "checked_at": at, "value": v, "basis": basis, "weeks_left": round(weeks_left, 1),
           "pace_needed": None, "pace_observed": None}
    if v is None:
        res.update(verdict="unknown", explanation=i18n.t("goals.why.none", name=name, basis=basis))
        return res
    gap = target - v
    res["pace_needed"] = round(gap / weeks_left, 2) if weeks_left > 0 and not _ok(v, cmp, target) else 0.0
    if g["baseline"] is not None and elapsed >= 1:
        res["pace_observed"] = round((v - float(g["baseline"])) / elapsed, 2)
    ok = _ok(v, cmp, target)
    fields = dict(name=name, v=_fmt(v), target=_fmt(target), cmp=cmp, basis=basis, dl=dl, weeks=_fmt(weeks_left),
                  pace=_fmt(res["pace_needed"]), obs=_fmt(res["pace_observed"]))
    if week >= dl:
        verdict = "met" if ok else "missed"
        why = i18n.t(f"goals.why.{verdict}", **fields)
    elif ok:
        verdict, why = "on_track", i18n.t("goals.why.reached", **fields)
    elif res["pace_observed"] is not None and _ok(v + res["pace_observed"] * weeks_left, cmp, target):
        verdict, why = "on_track", i18n.t("goals.why.pace_ok", **fields)
    else:
        verdict = "at_risk"
        why = i18n.t("goals.why.at_risk" if res["pace_observed"] is not None else "goals.why.at_risk_new", **fields)
    res.update(verdict=verdict, explanation=why)
    return res


def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.2f}".rstrip("0").rstrip(".")
    return str(v)


_NAMES = {
    "R1": ("Response coverage ≤ 72 h", "Taux de réponse ≤ 72 h"),
    "R1-24h": ("Response coverage ≤ 24 h", "Taux de réponse ≤ 24 h"),
    "R2": ("Median time to first response (h)", "Délai médian de première réponse (h)"),
    "R3": ("Newcomers' first items answered ≤ 72 h", "Premiers messages des nouveaux répondus ≤ 72 h"),
    "P1": ("Presence: weeks with a publication (of 13)", "Présence : semaines avec une publication (sur 13)"),
    "P1-silence": ("Longest silence (days)", "Plus long silence (jours)"),
    "D1": ("Dialogue ratio (our replies / our posts)", "Ratio de dialogue (nos réponses / nos publications)"),
    "D2": ("Conversation depth (%)", "Profondeur des conversations (%)"),
    "L1": ("Ladder gravity", "Gravité de l'échelle"),
    "L1-N2": ("Regulars (N2)", "Habitués (N2)"),
    "L1-N3": ("Standard-bearers (N3)", "Porte-étendards (N3)"),
    "E1": ("Show-up rate (%)", "Taux de présence (%)"),
    "E2": ("First-timer return (%)", "Retour des nouveaux venus (%)"),
    "E3": ("Online→offline conversion (%)", "Conversion en ligne → sur place (%)"),
    "E4": ("Offline→online activation (%)", "Activation sur place → en ligne (%)"),
    "N1": ("Newcomer retention at 90 days (%)", "Rétention des nouveaux à 90 jours (%)"),
    "B1": ("Bridging check (%)", "Contrôle des passerelles (%)"),
}

i18n.register({f"goals.name.{k}": {"en": en, "fr": fr} for k, (en, fr) in _NAMES.items()})
i18n.register({
    "goals.not_computed": {"en": "not computed yet", "fr": "pas encore calculé"},
    "goals.not_scored": {"en": "no level snapshots yet (run lien score)",
                         "fr": "pas encore d'instantanés de niveaux (lancez lien score)"},
    "goals.basis.of": {"en": "{n} of {d}", "fr": "{n} sur {d}"},
    "goals.basis.answered": {"en": "{n} answered items", "fr": "{n} éléments répondus"},
    "goals.basis.pubs": {"en": "{n} publications in 13 weeks", "fr": "{n} publications en 13 semaines"},
    "goals.basis.no_events": {"en": "no event in {q}", "fr": "aucun événement en {q}"},
    "goals.basis.members": {"en": "{n} members, {month}", "fr": "{n} membres, {month}"},
    "goals.verdict.on_track": {"en": "on track", "fr": "en bonne voie"},
    "goals.verdict.at_risk": {"en": "at risk", "fr": "en danger"},
    "goals.verdict.met": {"en": "met", "fr": "atteint"},
    "goals.verdict.missed": {"en": "missed", "fr": "manqué"},
    "goals.verdict.unknown": {"en": "unknown", "fr": "inconnu"},
    "goals.why.none": {"en": "{name}: no value ({basis}).", "fr": "{name} : pas de valeur ({basis})."},
    "goals.why.met": {"en": "{name} is {v} ({basis}) at the deadline {dl}: target {cmp} {target} met.",
                      "fr": "{name} vaut {v} ({basis}) à l'échéance du {dl} : objectif {cmp} {target} atteint."},
    "goals.why.missed": {"en": "{name} is {v} ({basis}) at the deadline {dl}: target {cmp} {target} missed.",
                         "fr": "{name} vaut {v} ({basis}) à l'échéance du {dl} : objectif {cmp} {target} manqué."},
    "goals.why.reached": {"en": "{name} is {v} ({basis}), already {cmp} {target}; keep it until {dl} ({weeks} weeks).",
                          "fr": "{name} vaut {v} ({basis}), déjà {cmp} {target} ; à tenir jusqu'au {dl} ({weeks} semaines)."},
    "goals.why.pace_ok": {"en": "{name} is {v} ({basis}), target {cmp} {target} by {dl}: needs {pace}/week for "
                                "{weeks} weeks; it moves {obs}/week since the baseline.",
                          "fr": "{name} vaut {v} ({basis}), objectif {cmp} {target} au {dl} : il faut {pace}/semaine "
                                "pendant {weeks} semaines ; il évolue de {obs}/semaine depuis le point de départ."},
    "goals.why.at_risk": {"en": "{name} is {v} ({basis}), target {cmp} {target} by {dl}: needs {pace}/week for "
                                "{weeks} weeks, but it moves {obs}/week since the baseline.",
                          "fr": "{name} vaut {v} ({basis}), objectif {cmp} {target} au {dl} : il faut {pace}/semaine "
                                "pendant {weeks} semaines, or il évolue de {obs}/semaine depuis le point de départ."},
    "goals.why.at_risk_new": {"en": "{name} is {v} ({basis}), target {cmp} {target} by {dl}: needs {pace}/week for "
                                    "{weeks} weeks (no progress measured yet).",
                              "fr": "{name} vaut {v} ({basis}), objectif {cmp} {target} au {dl} : il faut "
                                    "{pace}/semaine pendant {weeks} semaines (pas encore de progression mesurée)."},
})

i18n.register({
    "goals.added": {"en": "Goal #{id} added: {name} {cmp} {target} by {dl}",
                    "fr": "Objectif n° {id} ajouté : {name} {cmp} {target} au {dl}"},
    "goals.skipped": {"en": "Not added: {metric}: {reason}", "fr": "Non ajouté : {metric} : {reason}"},
    "goals.none": {"en": "No goal yet. Add MODEL.md's defaults: lien goals add --defaults",
                   "fr": "Aucun objectif. Ajoutez ceux du modèle par défaut : lien goals add --defaults"},
    "goals.init_proposal": {"en": "Proposed quarterly goals (MODEL.md §8):",
                            "fr": "Objectifs trimestriels proposés (MODEL.md §8) :"},
    "goals.init_relative": {"en": "now + {d}", "fr": "actuel + {d}"},
    "goals.init_how": {"en": "Add them with: lien goals add --defaults (or lien init --goals)",
                       "fr": "Ajoutez-les avec : lien goals add --defaults (ou lien init --goals)"},
    "goals.init_added": {"en": "{n} default quarterly goals added (lien goals check).",
                         "fr": "{n} objectifs trimestriels par défaut ajoutés (lien goals check)."},
    "goals.removed": {"en": "Goal #{id} removed.", "fr": "Objectif n° {id} supprimé."},
    "goals.check.title": {"en": "Goals, week ending {week}", "fr": "Objectifs, semaine finissant le {week}"},
    "goals.col.code": {"en": "code", "fr": "code"},
    "goals.col.name": {"en": "indicator", "fr": "indicateur"},
    "goals.col.objective": {"en": "objective", "fr": "objectif"},
    "goals.col.deadline": {"en": "deadline", "fr": "échéance"},
    "goals.col.baseline": {"en": "baseline", "fr": "point de départ"},
    "goals.col.value": {"en": "value", "fr": "valeur"},
    "goals.col.pace": {"en": "pace needed /week", "fr": "rythme nécessaire /sem."},
    "goals.col.verdict": {"en": "verdict", "fr": "verdict"},
})
