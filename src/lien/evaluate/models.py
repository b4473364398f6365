"""The models compared on the panel (MODEL.md protocol §3): each gives every row a score,
higher meaning "more likely to come back". Baselines first, then the model and its variants."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import MissingExtra
from ..metrics.engagement import COMPONENTS, Params
from .panel import Panel

BASELINES = ("likes", "followers", "past_activity", "past_checkins", "recency", "orbit_love")
MODELS = ("pes", "pes_online", "components_logit")
DESCRIPTIONS = {
    "likes": "light signals only (C6's decayed count of likes, reactions, shares, follows)",
    "followers": "distinct people following the person before the cut-off",
    "past_activity": "acts in the 26 weeks before the cut-off (RSVPs left out)",
    "past_checkins": "check-ins in the 26 weeks before the cut-off",
    "recency": "weeks since the last act, reversed",
    "orbit_love": "Σ activity weight × 0.9^months over all past acts (Orbit's Love)",
    "pes": "the default model's engagement score (PES)",
    "pes_online": "PES without the offline track (no C1, regularity from online weeks only)",
    "components_logit": "logistic regression on the six component values, fitted on earlier cut-offs only",
}


def available(panel: Panel) -> list[str]:
    """The models this panel can score: followers only where the data has follows, check-in
    counts only where people check in, the online variant only where there is an offline track."""
    names = []
    for name in BASELINES + MODELS:
        if name == "followers" and not (panel.has_follows and panel.cols["followers"].any()):
            continue
        if name == "past_checkins" and not panel.has_checkins:
            continue
        if name == "pes_online" and not panel.has_checkins:
            continue  # identical to pes without an offline track
        names.append(name)
    return names


def pes_online(cols: dict[str, np.ndarray], p: Params) -> np.ndarray:
    """PES without C1 and without the offline half of C4; weights rescaled like "no events"."""
    w = p.effective_weights(False)
    v_reg = np.minimum(1.0, cols["online_weeks"] / p.online_weeks_full)
    return (w["conversation"] * cols["v_conversation"] + w["reciprocity"] * cols["v_reciprocity"]
            + w["regularity"] * v_reg + w["breadth"] * cols["v_breadth"] + w["light"] * cols["v_light"])


def scores(panel: Panel, p: Params, names: list[str]) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Every model's scores (NaN where a model cannot score a row) and the logistic fit's details."""
    c = panel.cols
    out: dict[str, np.ndarray] = {}
    extra: dict[str, Any] = {}
    for name in names:
        if name == "pes_online":
            out[name] = pes_online(c, p)
        elif name == "components_logit":
            out[name], extra = rolling_logit(panel)
        else:
            out[name] = c[name].astype(float)
    return out, extra


def _logit() -> Any:
    try:
        from sklearn.linear_model import LogisticRegression
    except ModuleNotFoundError as e:
        raise MissingExtra("scikit-learn", "eval") from e
    return LogisticRegression


def rolling_logit(panel: Panel) -> tuple[np.ndarray, dict[str, Any]]:
    """At each cut-off, a logistic regression fitted on the rows of earlier cut-offs whose
    label was already known then (their horizon ended before this cut-off): no look-ahead.
    Rows of cut-offs without such history (or with one class only) get no score (NaN)."""
    LR = _logit()
    X = np.column_stack([panel.cols[f"v_{k}"] for k in COMPONENTS])
    y = panel.cols["y"]
    cut = panel.cols["cut"]
    h = np.timedelta64(7 * panel.horizon, "D")
    pred = np.full(len(y), np.nan)
    for t in np.unique(cut):
        train = cut + h <= t
        if len(set(y[train].tolist())) < 2:
            continue
        model = LR(max_iter=1000).fit(X[train], y[train])
        rows = cut == t
        pred[rows] = model.predict_proba(X[rows])[:, 1]
    info: dict[str, Any] = {"rows_scored": int((~np.isnan(pred)).sum())}
    if len(set(y.tolist())) == 2:
        full = LR(max_iter=1000).fit(X, y)
        coef = {k: float(v) for k, v in zip(COMPONENTS, full.coef_[0])}
        pos = sum(v for v in coef.values() if v > 0)
        info["coefficients"] = coef
        info["intercept"] = float(full.intercept_[0])
        # MODEL.md §6: keep weights human-readable: the coefficients on the 100-point scale
        info["as_points"] = {k: (round(100 * v / pos) if pos and v > 0 else 0) for k, v in coef.items()}
    return pred, info
