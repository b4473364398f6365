"""``lien evaluate --sweep``: which half-lives and saturation constants does the data support?

MODEL.md protocol §6: half-lives {4, 8, 13, 26, 52} weeks and k multipliers {0.5, 1, 2},
checked by rolling origin, a default changed only if the gain exceeds the interval's
half-width. Each half-life is one scoring run of the real model (``lien.metrics.snapshots``)
on a scratch in-memory copy of the workspace's acts with that one setting changed; the k
multipliers need no run (the snapshots keep each component's raw quantity x, so
``s(x; m·k)`` is recomputed on the panel). One half-life moves at a time, the others stay
at the workspace's settings.
"""
from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import numpy as np

from ..metrics.engagement import Params
from . import stats
from .panel import Panel, build

HALF_LIVES = (4, 8, 13, 26, 52)
K_MULTIPLIERS = (0.5, 1.0, 2.0)
TABLES = ("people", "identities", "activities", "events")


def pes_from(cols: dict[str, np.ndarray], p: Params, has_events: bool, m: float) -> np.ndarray:
    """The PES from the snapshot's raw quantities with every saturation constant × ``m``."""
    w = p.effective_weights(has_events)

    def sat(x: np.ndarray, k: float) -> np.ndarray:
        return 1 - np.exp(-np.maximum(x, 0.0) / (k * m))

    return (w["offline"] * sat(cols["x_offline"], p.k["offline"])
            + w["conversation"] * sat(cols["x_conversation"], p.k["conversation"])
            + w["reciprocity"] * sat(cols["x_reciprocity"], p.k["reciprocity"])
            + w["regularity"] * cols["v_regularity"] + w["breadth"] * cols["v_breadth"]
            + w["light"] * sat(cols["x_light"], p.k["light"]))


def scratch(ws: Any, model: dict[str, Any]) -> Any:
    """An in-memory workspace holding the same people, identities, acts and events, whose
    configuration is ``ws``'s with ``model`` as its model settings."""
    from ..workspace import Workspace

    w = Workspace(":memory:")
    ws.con.execute("SELECT 1").fetchall()
    for t in TABLES:
        data = ws.con.sql(f"SELECT * FROM {t}").to_arrow_table()
        w.con.register("_lien_copy", data)
        w.con.execute(f"INSERT INTO {t} SELECT * FROM _lien_copy")
        w.con.unregister("_lien_copy")
    cfg = copy.deepcopy(ws.config)
    cfg.model = model
    w._config = cfg
    return w


def _panel_with(ws: Any, panel: Panel, model: dict[str, Any]) -> Panel:
    from ..metrics.snapshots import score

    w = scratch(ws, model)
    try:
        last = w.scalar("SELECT max(ts) FROM activities")
        score(w, full=True, today=last.date() + timedelta(days=14))
        other = build(w, horizon=panel.horizon, label=panel.label, p=Params.from_config(model))
    finally:
        w.close()
    if other.n != panel.n or not (other.cols["person"] == panel.cols["person"]).all():
        raise AssertionError("the sweep's panel differs from the evaluation's")  # the same acts: cannot happen
    return other


def sweep(ws: Any, panel: Panel, p: Params, *, bootstrap: int, seed: int) -> dict[str, Any]:
    from ..metrics.snapshots import has_events

    events = has_events(ws)
    base = ws.config.model
    cur = base["half_life_weeks"]
    params = ["online", "offline"] if panel.has_checkins else ["online"]
    # (parameter, half-life, k multiplier) → PES on the panel's rows
    scores: dict[tuple[str, float, float], np.ndarray] = {}
    for m in K_MULTIPLIERS:
        scores[("current", 0, m)] = pes_from(panel.cols, p, events, m)
    for which in params:
        for h in HALF_LIVES:
            if h == cur[which]:
                continue
            model = copy.deepcopy(base)
            model["half_life_weeks"][which] = h
            other = _panel_with(ws, panel, model)
            for m in K_MULTIPLIERS:
                scores[(which, h, m)] = pes_from(other.cols, Params.from_config(model), events, m)
    names = {key: _name(key, cur) for key in scores}
    current = names[("current", 0, 1.0)]
    y, persons, cut = panel.cols["y"], panel.cols["person"], panel.cols["cut"]
    by_name = {names[k]: v for k, v in scores.items()}
    boots = stats.bootstrap_aucs(y, by_name, persons, bootstrap, seed)
    rows = []
    for key, v in scores.items():
        n = names[key]
        a = stats.auc(y, v)
        lo, hi = stats.interval(boots[n])
        d_lo, d_hi = stats.interval(boots[n] - boots[current])
        which, h, m = key
        rows.append({"setting": n,
                     "half_life_online": h if which == "online" else cur["online"],
                     "half_life_offline": h if which == "offline" else cur["offline"],
                     "k_multiplier": m, "current": n == current,
                     "auc": a, "auc_low": lo, "auc_high": hi,
                     "delta": (a - stats.auc(y, by_name[current])) if a is not None else None,
                     "delta_low": d_lo, "delta_high": d_hi})
    rows.sort(key=lambda r: (r["half_life_online"], r["half_life_offline"], r["k_multiplier"]))
    return {"settings": rows, "rolling_origin": _rolling(panel, by_name, current),
            "verdicts": _verdicts(rows, cur, params)}


def _name(key: tuple[str, float, float], cur: dict[str, Any]) -> str:
    which, h, m = key
    on = h if which == "online" else cur["online"]
    off = h if which == "offline" else cur["offline"]
    return f"h_online={on:g} h_offline={off:g} k×{m:g}"


def _rolling(panel: Panel, by_name: dict[str, np.ndarray], current: str) -> dict[str, Any]:
    """At each cut-off, the setting with the best AUC on the earlier cut-offs whose labels
    were known by then, applied to this cut-off: what choosing by the data would have given."""
    y, cut = panel.cols["y"], panel.cols["cut"]
    h = np.timedelta64(7 * panel.horizon, "D")
    picked = np.full(len(y), np.nan)
    picks = {}
    for t in np.unique(cut):
        train = cut + h <= t
        if len(set(y[train].tolist())) < 2:
            continue
        aucs = {n: stats.auc(y[train], v[train]) or 0.0 for n, v in by_name.items()}
        best = max(aucs, key=lambda n: (round(aucs[n], 6), n == current))
        rows = cut == t
        picked[rows] = by_name[best][rows]
        picks[str(t)] = best
    ok = ~np.isnan(picked)
    if not ok.any():
        return {"n": 0, "auc": None, "current_auc": None, "picks": {}}
    return {"n": int(ok.sum()), "auc": stats.auc(y[ok], picked[ok]),
            "current_auc": stats.auc(y[ok], by_name[current][ok]), "picks": picks}


def _verdicts(rows: list[dict[str, Any]], cur: dict[str, Any], params: list[str]) -> list[dict[str, Any]]:
    """Per setting of MODEL.md §10 swept: the best value, its gain over the current one, and
    whether that gain exceeds the half-width of the current setting's interval."""
    now = next(r for r in rows if r["current"])
    half = (now["auc_high"] - now["auc_low"]) / 2 if now["auc_low"] is not None else None
    out = []
    groups = [(f"half_life_weeks.{w}", f"half_life_{w}", cur[w],
               [r for r in rows if r["k_multiplier"] == 1.0 and all(
                   r[f"half_life_{o}"] == cur[o] for o in params if o != w)]) for w in params]
    groups.append(("saturation_k (multiplier)", "k_multiplier", 1.0,
                   [r for r in rows if all(r[f"half_life_{o}"] == cur[o] for o in params)]))
    for setting, col, value, cands in groups:
        cands = [r for r in cands if r["auc"] is not None]
        if not cands or now["auc"] is None:
            continue
        best = max(cands, key=lambda r: (round(r["auc"], 6), r["current"]))
        gain = best["auc"] - now["auc"]
        change = half is not None and gain > half
        out.append({"setting": setting, "current": value, "best": best[col], "auc_current": now["auc"],
                    "auc_best": best["auc"], "gain": gain, "half_width": half,
                    "delta_low": best["delta_low"], "delta_high": best["delta_high"],
                    "supported": not change})
    return out
