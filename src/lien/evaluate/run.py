"""``lien evaluate``: does the model find the people who come back, better than vanity counts?"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import UsageError
from ..metrics.engagement import Params
from . import stats
from .models import DESCRIPTIONS, available, scores
from .panel import Panel, build

#: strata of MODEL.md protocol §5: column, value, and whether it needs an offline track
STRATA = (("never_attended", "attended_before", 0, True), ("past_attendees", "attended_before", 1, True),
          ("newcomers", "newcomer", 1, False))
MIN_STRATUM = 10


def evaluate(ws: Any, *, horizon_weeks: int = 13, label: str | None = None, k: int = 10, bootstrap: int = 2000,
             seed: int = 0, sweep: bool = False, rescore: bool = True) -> dict[str, Any]:
    """Build the panel, score every model, and measure how well each ranks who comes back.

    Returns an object with ``models`` → name → ``auc``, ``auc_low``, ``auc_high``, ``pr_auc``,
    ``precision_at_k`` …, plus ``n_panel``, ``base_rate``, ``strata`` and (``sweep``) the
    half-life sweep."""
    if k < 1:
        raise UsageError(f"--k: expected at least 1, found {k}")
    if bootstrap < 0:
        raise UsageError(f"--bootstrap: expected 0 or more, found {bootstrap}")
    if rescore:
        from ..metrics.snapshots import score

        score(ws)  # the snapshots must be current (a no-op when they are)
    p = Params.from_config(ws.config.model)
    panel = build(ws, horizon=horizon_weeks, label=label, p=p)
    result: dict[str, Any] = {
        "label": panel.label, "horizon_weeks": horizon_weeks, "k": k, "bootstrap": bootstrap, "seed": seed,
        "cutoffs": [d.isoformat() for d in panel.cutoffs], "n_panel": panel.n,
        "n_people": int(len(np.unique(panel.cols["person"]))) if panel.n else 0,
        "positives": int(panel.cols["y"].sum()) if panel.n else 0,
        "base_rate": float(panel.cols["y"].mean()) if panel.n else None,
        "models": {}, "strata": {}, "notes": [],
    }
    if panel.n == 0:
        result["notes"].append(_why_empty(ws, panel))
        return result
    names = available(panel)
    s, logit = scores(panel, p, names)
    result["models"] = measure(panel, s, k=k, bootstrap=bootstrap, seed=seed)
    for name in names:
        result["models"][name]["description"] = DESCRIPTIONS[name]
        v = s[name][~np.isnan(s[name])]
        result["models"][name]["constant"] = bool(len(v) == 0 or np.all(v == v[0]))
    if "components_logit" in result["models"]:
        result["models"]["components_logit"].update(logit)
        cl = s["components_logit"]
        ok = ~np.isnan(cl)
        if ok.any():
            m = stats.sklearn_metrics()
            result["models"]["components_logit"]["brier"] = float(m.brier_score_loss(panel.cols["y"][ok], cl[ok]))
    for name, col, value, needs_offline in STRATA:
        if needs_offline and not panel.has_checkins:
            continue
        mask = panel.cols[col] == value
        sub = _subset(panel, mask)
        entry: dict[str, Any] = {"n": int(mask.sum()), "positives": int(sub.cols["y"].sum()) if sub.n else 0,
                                 "base_rate": float(sub.cols["y"].mean()) if sub.n else None, "models": {}}
        if sub.n >= MIN_STRATUM and 0 < entry["positives"] < sub.n:
            entry["models"] = measure(sub, {n: v[mask] for n, v in s.items()}, k=k, bootstrap=bootstrap, seed=seed)
        result["strata"][name] = entry
    if sweep:
        from .sweep import sweep as run_sweep

        result["sweep"] = run_sweep(ws, panel, p, bootstrap=bootstrap, seed=seed)
    return result


def _subset(panel: Panel, mask: np.ndarray) -> Panel:
    return Panel(panel.label, panel.horizon, panel.cutoffs, {c: v[mask] for c, v in panel.cols.items()},
                 panel.has_checkins, panel.has_follows)


def measure(panel: Panel, s: dict[str, np.ndarray], *, k: int, bootstrap: int, seed: int,
            reference: str = "pes") -> dict[str, dict[str, Any]]:
    """AUC (95% person-clustered bootstrap interval), PR-AUC, precision at k, Spearman ρ with
    the future count, and the AUC difference to ``reference`` (paired: same resamples).
    A model that cannot score every row (the logistic fit before it has history) is measured
    on its own rows, and the reference on those same rows beside it."""
    y, persons, cut = panel.cols["y"], panel.cols["person"], panel.cols["cut"]
    out: dict[str, dict[str, Any]] = {}
    full = {n: v for n, v in s.items() if not np.isnan(v).any()}
    boots = stats.bootstrap_aucs(y, full, persons, bootstrap, seed)
    for name, v in s.items():
        ok = ~np.isnan(v)
        if name in full:
            yy, vv, b = y, v, boots[name]
            ref_b = boots.get(reference)
            ref_auc = stats.auc(y, s[reference]) if reference in s else None
        else:
            yy, vv = y[ok], v[ok]
            sub = {name: vv, **({reference: s[reference][ok]} if reference in s else {})}
            bb = stats.bootstrap_aucs(yy, sub, persons[ok], bootstrap, seed)
            b, ref_b = bb[name], bb.get(reference)
            ref_auc = stats.auc(yy, s[reference][ok]) if reference in s else None
        a = stats.auc(yy, vv)
        lo, hi = stats.interval(b)
        entry: dict[str, Any] = {
            "auc": a, "auc_low": lo, "auc_high": hi, "pr_auc": stats.pr_auc(yy, vv),
            "precision_at_k": stats.precision_at_k(yy, vv, cut[ok], k),
            "spearman": stats.spearman(panel.cols["y_count"][ok], vv),
            "n": int(ok.sum()), "positives": int(yy.sum()), "base_rate": float(yy.mean()) if len(yy) else None,
        }
        if name != reference and ref_b is not None and a is not None and ref_auc is not None:
            d_lo, d_hi = stats.interval(b - ref_b)
            entry.update(delta_pes=a - ref_auc, delta_pes_low=d_lo, delta_pes_high=d_hi)
            if name not in full:
                entry["pes_auc_same_rows"] = ref_auc
        out[name] = entry
    return out


def _why_empty(ws: Any, panel: Panel) -> str:
    from .panel import data_bounds

    first, last, _, _ = data_bounds(ws)
    if first is None:
        return "no acts by people in this workspace"
    if not panel.cutoffs:
        return (f"no month end between the first act ({first.date()}) and {panel.horizon} weeks before the last "
                f"({last.date()})" + (" with an event in the horizon" if panel.label == "attend" else "")
                + ": the data spans too short a time (or has no dates) for a forecast to be checked")
    return "nobody had a substantive act in the 52 weeks before any cut-off"
