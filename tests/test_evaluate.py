"""lien evaluate: metrics with known answers, panels built from small communities whose labels
were worked out by hand (tests/data/evaluate/), the CLI, the HTML page."""
from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest

from conftest import DATA, do_import

pytest.importorskip("sklearn")

from sklearn.metrics import roc_auc_score  # noqa: E402

from lien.evaluate import evaluate  # noqa: E402
from lien.evaluate import stats  # noqa: E402
from lien.evaluate.panel import Panel, build, month_end_sundays  # noqa: E402
from lien.evaluate.run import measure  # noqa: E402

EV = DATA / "evaluate"


def _panel(y: np.ndarray, persons: np.ndarray, cuts: np.ndarray, **cols: np.ndarray) -> Panel:
    return Panel("substantive", 13, [], {"y": y, "y_count": y.astype(float), "person": persons, "cut": cuts, **cols},
                 False, False)


def test_weighted_auc_equals_sklearn_with_ties() -> None:
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 300)
    s = rng.integers(0, 6, 300).astype(float)  # many ties
    assert stats.weighted_auc(y, s, np.ones((1, 300)))[0] == pytest.approx(roc_auc_score(y, s))
    w = rng.integers(0, 3, 300).astype(float)  # integer weights = rows repeated
    rep = np.repeat(np.arange(300), w.astype(int))
    assert stats.weighted_auc(y, s, w[None, :])[0] == pytest.approx(roc_auc_score(y[rep], s[rep]))


def test_precision_at_k_shares_ties() -> None:
    y = np.array([1, 0, 1, 0, 0])
    s = np.array([5.0, 3.0, 3.0, 3.0, 0.0])
    g = np.zeros(5)
    # the top place is a positive; the second goes to one of three tied rows, one of them positive
    assert stats.precision_at_k(y, s, g, 2) == pytest.approx((1 + 1 / 3) / 2)


def test_deterministic_label_gives_auc_one_random_label_chance() -> None:
    rng = np.random.default_rng(7)
    n_people, n_cuts = 200, 6
    persons = np.repeat(np.arange(n_people).astype(str).astype(object), n_cuts)
    cuts = np.tile(np.arange(n_cuts), n_people).astype("datetime64[D]")
    feature = rng.normal(size=n_people * n_cuts)
    noise = rng.normal(size=n_people * n_cuts)
    y_det = (feature > 0.3).astype(int)
    y_rand = rng.integers(0, 2, n_people * n_cuts)
    for y, expect in ((y_det, "one"), (y_rand, "chance")):
        p = _panel(y, persons, cuts)
        r = measure(p, {"pes": feature, "noise": noise}, k=10, bootstrap=500, seed=3)
        if expect == "one":
            assert r["pes"]["auc"] == 1.0
            assert (r["pes"]["auc_low"], r["pes"]["auc_high"]) == (1.0, 1.0)
            assert r["pes"]["pr_auc"] == pytest.approx(1.0)
            assert r["pes"]["precision_at_k"] == 1.0
            assert r["noise"]["delta_pes_high"] < 0  # the noise is worse, beyond its interval
        else:
            for m in ("pes", "noise"):
                assert abs(r[m]["auc"] - 0.5) < 0.05
                assert r[m]["auc_low"] < 0.5 < r[m]["auc_high"]
        assert r["pes"]["n"] == n_people * n_cuts


def test_bootstrap_is_clustered_by_person() -> None:
    """One person repeated at many cut-offs is one draw: their rows move together."""
    persons = np.array(["a"] * 5 + ["b"] * 5, dtype=object)
    W = np.concatenate(list(stats.person_weights(persons, 300, seed=0)))
    assert W.shape == (300, 10)
    assert (W[:, :5] == W[:, [0]]).all() and (W[:, 5:] == W[:, [5]]).all()
    assert set(np.unique(W[:, 0] + W[:, 5])) == {2.0}


def test_month_end_sundays() -> None:
    assert month_end_sundays(date(2024, 1, 3), date(2024, 3, 2)) == [date(2024, 1, 28), date(2024, 2, 25),
                                                                      date(2024, 3, 31)]


def test_online_community_known_answers(ws) -> None:
    # a1..a4 comment every Wednesday 2024-01-03 … 09-25; b1..b4 from 01-03 to 03-13 (README of the fixture
    # in the test module): cut-offs are the month-end Sundays whose 13 weeks end by 09-25
    do_import(ws, EV / "online.jsonl")
    p = build(ws)
    assert p.label == "substantive"
    assert p.cutoffs == [date(2024, 1, 28), date(2024, 2, 25), date(2024, 3, 31), date(2024, 4, 28),
                         date(2024, 5, 26)]
    assert p.n == 40  # 8 people × 5 cut-offs
    # every a, and the b's while they still come back (January and February cut-offs)
    assert int(p.cols["y"].sum()) == 20 + 8
    r = evaluate(ws, bootstrap=300)
    assert r["n_panel"] == 40 and r["n_people"] == 8 and r["positives"] == 28
    assert r["base_rate"] == pytest.approx(0.7)
    m = r["models"]
    assert set(m) == {"likes", "past_activity", "recency", "orbit_love", "pes", "components_logit"}
    # those who come back were last seen 4¼ days before the cut-off, the others ≥ 18¼ days
    assert m["recency"]["auc"] == 1.0 and (m["recency"]["auc_low"], m["recency"]["auc_high"]) == (1.0, 1.0)
    assert m["likes"]["auc"] == 0.5 and m["likes"]["constant"]
    # the PES is a level, not a trend: a b who stopped 2½ weeks ago after eleven weeks still outscores
    # an a at the first cut-off, after four weeks; better than chance all the same
    assert 0.5 < m["pes"]["auc"] < 1.0
    # no earlier cut-off with both outcomes known: the logistic fit never has history
    assert m["components_logit"]["n"] == 0 and m["components_logit"]["auc"] is None
    # newcomers: first act 2024-01-03, less than 13 weeks before the first three cut-offs
    assert r["strata"]["newcomers"]["n"] == 24 and r["strata"]["newcomers"]["positives"] == 20
    assert "never_attended" not in r["strata"]


def test_meetups_attend_label_and_strata(ws) -> None:
    # r1..r3 come to the nine monthly meetups (first Saturday, January … September 2024);
    # d1..d3 come in January and February only, and comment online every Wednesday to 09-25
    # (the same e-mail on both channels: one person each)
    do_import(ws, EV / "meetups.jsonl")
    r = evaluate(ws, bootstrap=300)
    assert r["label"] == "attend"
    assert r["cutoffs"] == ["2024-01-28", "2024-02-25", "2024-03-31", "2024-04-28", "2024-05-26"]
    assert r["n_panel"] == 30 and r["positives"] == 15 + 3  # the d's come back only after 01-28
    m = r["models"]
    assert {"past_checkins", "pes_online", "pes"} <= set(m)
    # online activity is the d's alone, and they stop coming: online-only scores point the wrong way;
    # so does the full PES here (a d's comments, regularity and breadth outweigh an r's 30 offline
    # points), a case where the model ranks every one who stops above every one who comes back
    assert m["pes_online"]["auc"] == 0.0
    assert m["pes"]["auc"] == 0.0
    assert r["strata"]["past_attendees"]["n"] == 30
    assert r["strata"]["never_attended"]["n"] == 0 and r["strata"]["never_attended"]["models"] == {}
    assert r["strata"]["newcomers"]["n"] == 18
    # the substantive label counts check-ins and comments: everyone acts again at every cut-off
    s = evaluate(ws, label="substantive", bootstrap=0)
    assert s["n_panel"] == 30 and s["positives"] == 30 and s["models"]["pes"]["auc"] is None


def test_no_forecast_possible_says_why(ws) -> None:
    do_import(ws, EV / "online.jsonl")
    r = evaluate(ws, horizon_weeks=52, bootstrap=0)
    assert r["n_panel"] == 0 and r["models"] == {}
    assert "too short a time" in r["notes"][0]


def test_cli_json_html_and_errors(cli, tmp_path) -> None:
    code, _, err = cli("import", EV / "meetups.jsonl")
    assert code == 0, err
    code, out, err = cli("evaluate", "--json", "--bootstrap", "200", "--html", tmp_path / "ev.html")
    assert code == 0, err
    data = json.loads(out)
    assert data["n_panel"] == 30 and data["base_rate"] == pytest.approx(0.6)
    for name, m in data["models"].items():
        assert {"auc", "auc_low", "auc_high", "pr_auc"} <= set(m), name
    page = (tmp_path / "ev.html").read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "<svg" in page and "<script" not in page
    assert "pes_online" in page
    code, out, err = cli("evaluate", "--bootstrap", "100")
    assert code == 0 and "pes" in out and "Past attendees" in out
    code, _, err = cli("--lang", "fr", "evaluate", "--bootstrap", "0")
    assert code == 0
    code, _, err = cli("evaluate", "--label", "likes")
    assert code == 2 and "--label" in err


def test_attend_label_needs_checkins(cli) -> None:
    cli("import", EV / "online.jsonl")
    code, _, err = cli("evaluate", "--label", "attend")
    assert code == 2 and "nobody ever checked in" in err


def test_sweep_recovers_the_current_pes(ws) -> None:
    """The sweep's PES at the current settings (k × 1) is the snapshot's PES; one scoring run per
    other half-life on a scratch copy leaves the workspace's own snapshots as they were."""
    from lien.evaluate.sweep import HALF_LIVES, pes_from
    from lien.metrics.engagement import Params

    do_import(ws, EV / "online.jsonl")
    p = build(ws)
    np.testing.assert_allclose(pes_from(p.cols, Params.from_config(ws.config.model), False, 1.0), p.cols["pes"])
    before = ws.con.execute("SELECT * FROM score_weeks ORDER BY ALL").fetchall()
    r = evaluate(ws, bootstrap=100, sweep=True)
    sw = r["sweep"]
    assert len(sw["settings"]) == len(HALF_LIVES) * 3  # online half-lives × k multipliers (no offline track)
    cur = [s for s in sw["settings"] if s["current"]]
    assert len(cur) == 1 and cur[0]["auc"] == pytest.approx(r["models"]["pes"]["auc"])
    assert {v["setting"] for v in sw["verdicts"]} == {"half_life_weeks.online", "saturation_k (multiplier)"}
    assert ws.con.execute("SELECT * FROM score_weeks ORDER BY ALL").fetchall() == before
