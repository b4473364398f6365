"""lien goals on the conversation and events fixtures: values, pace, verdicts, defaults."""
from __future__ import annotations

import json
import shutil
from datetime import date

import pytest

from conftest import DATA, do_import
from lien.errors import UsageError
from lien.metrics import goals as G

ORG = DATA / "org"


@pytest.fixture
def org(ws):
    shutil.copy(ORG / "lien.toml", ws.config_path)
    ws.reload_config()
    do_import(ws, ORG / "conversation.csv")
    return ws


@pytest.fixture
def club(ws):
    shutil.copy(ORG / "lien.toml", ws.config_path)
    ws.reload_config()
    do_import(ws, ORG / "events.csv", channel="club")
    return ws


def test_values_of_the_indicators(org):
    wk = date(2024, 3, 31)
    assert G.value(org, "R1", wk) == (42.9, "3 of 7")
    assert G.value(org, "r1-24H", wk)[0] == 25.0
    assert G.value(org, "R2", wk)[0] == 18.0
    assert G.value(org, "R3", wk)[0] == 75.0
    # P1 over every channel: our posts p1 (03-01) and p2 (03-10), nothing on "social"
    assert G.value(org, "P1", wk) == (2.0, "2 publications in 13 weeks")
    assert G.value(org, "P1-silence", wk)[0] == 60.4
    assert G.value(org, "D1", wk) == (2.0, "4 of 2")  # r1, r2, r3 and the message dm2, for p1 and p2
    assert G.value(org, "D2", wk, "blog")[0] == 33.3
    assert G.value(org, "E1", wk) == (None, "no event in 2024-Q1")
    assert G.value(org, "B1", wk) == (None, "no event in 2024-Q1")  # no attendee: nothing to bridge from
    with pytest.raises(UsageError, match="unknown indicator 'X9'"):
        G.value(org, "X9", wk)


def test_event_indicators(club):
    # the quarter containing the week (2024-Q1): see test_org_events
    wk = date(2024, 3, 31)
    assert G.value(club, "E1", wk) == (71.4, "2024-Q1: 5 of 7")
    assert G.value(club, "E2", wk)[0] == 33.3  # as of March, Dan's return (E2) is still undecided
    assert G.value(club, "E3", wk)[0] == 75.0
    assert G.value(club, "E4", wk)[0] == 50.0
    assert G.value(club, "E1", date(2024, 6, 30))[0] == 87.5


def test_verdicts_and_pace(org):
    # as of 2024-04-07 (the last week with data) R1 is 55.6 % (5 of 9 … see test_org_responsiveness)
    g = G.add(org, "R1", deadline="2024-06-30")
    assert (g["metric"], g["target"], g["comparison"], str(g["deadline"]), g["baseline"]) == \
        ("R1", 100.0, ">=", "2024-06-30", 55.6)
    G.add(org, "R3", 50, "2024-03-31")            # deadline passed: 75 % on 2024-03-31 → met
    G.add(org, "R2", 12, "2024-03-31")            # median 18 h at the deadline → missed
    G.add(org, "D1", 1, "2024-12-31", scope="blog")  # 4 replies (r1–r4) / 2 posts: reached → on track
    res = {g["metric"]: g for g in G.check(org, "2024-04-07")["goals"]}
    r1 = res["R1"]
    assert (r1["value"], r1["verdict"], r1["weeks_left"]) == (55.6, "at_risk", 12.0)
    assert r1["pace_needed"] == round((100 - 55.6) / 12, 2)
    assert "needs 3.7/week for 12 weeks" in r1["explanation"]
    assert (res["R3"]["verdict"], res["R3"]["value"], str(res["R3"]["checked_at"])) == ("met", 75.0, "2024-03-31")
    assert (res["R2"]["verdict"], res["R2"]["value"]) == ("missed", 18.0)
    assert res["D1"]["verdict"] == "on_track" and res["D1"]["value"] == 2.0


def test_progress_since_the_baseline_puts_a_goal_on_track(org):
    org.con.execute("INSERT INTO goals VALUES (1, 'R1', NULL, 60, '>=', DATE '2024-05-31', "
                    "TIMESTAMP '2024-03-10 00:00:00', 20.0, NULL)").fetchall()
    # 42.9 % on 2024-03-31, from 20 % three weeks earlier: +7.63/week reaches 60 % before 2024-05-31
    [g] = G.check(org, "2024-03-31")["goals"]
    assert (g["verdict"], g["pace_observed"]) == ("on_track", 7.63)


def test_defaults(org):
    data = G.add_defaults(org, today=date(2024, 4, 10))
    added = {g["metric"]: g for g in data["added"]}
    # E3's default is relative (baseline + 5) and there is no event: skipped; L1-N2/N3 come
    # from the level snapshots the import computed
    assert set(added) == {"R1", "R1-24h", "R2", "R3", "P1", "P1-silence", "D1", "D2", "L1", "L1-N2", "L1-N3",
                          "E1", "E2"}
    assert {s["metric"] for s in data["skipped"]} == {"E3"}
    assert all(str(g["deadline"]) == "2024-06-30" for g in added.values())
    assert (added["R2"]["comparison"], added["R2"]["target"]) == ("<=", 4.0)
    # relative targets: baseline + 5 points, + 2 regulars
    assert added["D2"]["target"] == round(added["D2"]["baseline"] + 5, 1)
    assert added["L1-N2"]["target"] == added["L1-N2"]["baseline"] + 2
    checked = {c["metric"]: c for c in G.check(org, "2024-04-07")["goals"]}
    assert checked["E1"]["verdict"] == "unknown" and checked["L1"]["value"] is not None


def test_cli_goals(cli, tmp_path):
    shutil.copy(ORG / "lien.toml", tmp_path / "lien.toml")
    cli("import", ORG / "conversation.csv")
    code, o, e = cli("goals", "add", "R1", "--target", "90", "--deadline", "2024-06-30")
    assert code == 0 and "Goal #1 added" in o
    code, o, _ = cli("goals", "list", "--json")
    assert json.loads(o)["goals"][0]["target"] == 90.0
    code, o, _ = cli("--lang", "fr", "goals", "check")
    assert code == 0 and "en danger" in o and "objectif >= 90" in o
    code, o, e = cli("goals", "add", "Z1")
    assert code == 2 and "unknown indicator" in e
    assert cli("goals", "remove", "1")[0] == 0
    code, o, e = cli("goals", "remove", "1")
    assert code == 2 and "no goal #1" in e
