"""Discrimination metrics with a bootstrap clustered by person (MODEL.md protocol §4).

The same person recurs at every cut-off, so rows are not independent: a resample draws
*people* with replacement and keeps all their rows. Every model is scored on the same
resamples, which also gives intervals for the difference between two models. The AUC of a
resample is computed for all resamples at once from per-row weights (a person drawn twice
weighs 2), with the score order sorted once: no loop per row or per resample.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import MissingExtra

CHUNK = 256


def sklearn_metrics() -> Any:
    try:
        from sklearn import metrics
    except ModuleNotFoundError as e:
        raise MissingExtra("scikit-learn", "eval") from e
    return metrics


def weighted_auc(y: np.ndarray, s: np.ndarray, W: np.ndarray) -> np.ndarray:
    """ROC AUC of scores ``s`` for labels ``y`` under each row of weights ``W`` (B × n);
    ties count one half (as in ``roc_auc_score``). NaN where a class is absent."""
    order = np.argsort(s, kind="mergesort")
    ss, ys = s[order], y[order].astype(float)
    starts = np.flatnonzero(np.r_[True, ss[1:] != ss[:-1]])
    Ws = W[:, order]
    P = np.add.reduceat(Ws * ys, starts, axis=1)
    N = np.add.reduceat(Ws * (1.0 - ys), starts, axis=1)
    below = np.cumsum(N, axis=1) - N
    num = (P * (below + 0.5 * N)).sum(axis=1)
    den = P.sum(axis=1) * N.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def person_weights(persons: np.ndarray, B: int, seed: int) -> Any:
    """Yield (B_chunk × n) row weights of ``B`` person-clustered resamples, in chunks."""
    _, idx = np.unique(persons, return_inverse=True)
    m = idx.max() + 1 if len(idx) else 0
    rng = np.random.default_rng(seed)
    done = 0
    while done < B:
        b = min(CHUNK, B - done)
        draws = rng.integers(0, m, size=(b, m))
        counts = np.zeros((b, m))
        np.add.at(counts, (np.repeat(np.arange(b), m), draws.ravel()), 1.0)
        yield counts[:, idx]
        done += b


def bootstrap_aucs(y: np.ndarray, scores: dict[str, np.ndarray], persons: np.ndarray, B: int,
                   seed: int) -> dict[str, np.ndarray]:
    """Per model, the AUC of each of ``B`` person-clustered resamples (the same resamples for all)."""
    out: dict[str, list[np.ndarray]] = {k: [] for k in scores}
    if B <= 0 or len(y) == 0:
        return {k: np.array([]) for k in scores}
    for W in person_weights(persons, B, seed):
        for k, s in scores.items():
            out[k].append(weighted_auc(y, s, W))
    return {k: np.concatenate(v) for k, v in out.items()}


def interval(samples: np.ndarray) -> tuple[float | None, float | None]:
    ok = samples[~np.isnan(samples)] if len(samples) else samples
    if len(ok) == 0:
        return None, None
    lo, hi = np.percentile(ok, [2.5, 97.5])
    return float(lo), float(hi)


def auc(y: np.ndarray, s: np.ndarray) -> float | None:
    if len(set(y.tolist())) < 2:
        return None
    return float(sklearn_metrics().roc_auc_score(y, s))


def pr_auc(y: np.ndarray, s: np.ndarray) -> float | None:
    if y.sum() == 0:
        return None
    return float(sklearn_metrics().average_precision_score(y, s))


def precision_at_k(y: np.ndarray, s: np.ndarray, groups: np.ndarray, k: int) -> float | None:
    """Mean over cut-offs of the share of positives among the ``k`` highest scores; scores
    tied at the k-th place share the remaining places (the expected precision when the tie is
    broken at random), so a baseline that is 0 for most people gets no lucky ordering."""
    vals = []
    for g in np.unique(groups):
        m = groups == g
        yy, ss = y[m], s[m]
        kk = min(k, len(yy))
        if kk == 0:
            continue
        kth = np.sort(ss)[::-1][kk - 1]
        above, tied = ss > kth, ss == kth
        n_above = int(above.sum())
        pos = yy[above].sum() + yy[tied].sum() * (kk - n_above) / tied.sum()
        vals.append(pos / kk)
    return float(np.mean(vals)) if vals else None


def spearman(y_count: np.ndarray, s: np.ndarray) -> float | None:
    if len(y_count) < 3 or np.all(y_count == y_count[0]) or np.all(s == s[0]):
        return None
    from scipy.stats import spearmanr

    return float(spearmanr(s, y_count).statistic)
