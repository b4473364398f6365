"""lien events on tests/data/org/events.csv (channel "club"), answers derived by hand.

Six events 2024-01-10 … 2024-06-26 (E1–E3 in Q1, E4–E6 in Q2), each hosted by us (left out).
E1 yes ana ben cleo dan, no eve, check-ins ana ben cleo (dan no-show)   → 3/4, first-timers ana ben cleo
E2 yes ana ben dan, maybe eve, check-ins ana dan                        → 2/3, first-timer dan
E3 yes ana cleo, waitlist fay, no check-in list                         → show-up unknown
E4 yes ben eve fay, check-ins eve fay ben + ana volunteers             → 4/3, first-timers eve fay
E5 yes eve ana, check-in eve                                            → 1/2
E6 yes ana fay dan, check-ins ana fay (dan no-show)                     → 2/3
Returns within the next 2 events: E1 → ana (E2) = 1/3; E2 → dan none = 0/1; E4 → eve (E5), fay (E6) = 2/2.
Comments: ana 01-15, gus 02-01, dan 02-20, ben 03-20, eve 04-20, hal 05-01, fay 06-28.
E3 Q1: online ana gus dan ben, of whom ana ben dan checked in → 3/4; Q2: eve hal fay → eve fay → 2/3.
E4 Q1: attendees ana ben cleo dan; online within 28 days: ana (E1+5 d), dan (E2+6 d) → 2/4;
   Q2 (E6 is less than 28 days old): ana ben eve fay; eve (E4+10 d) → 1/4.
"""
from __future__ import annotations

import json
import shutil

import pytest

from conftest import DATA, do_import
from lien.metrics import events as E

ORG = DATA / "org"


@pytest.fixture
def club(ws):
    shutil.copy(ORG / "lien.toml", ws.config_path)
    ws.reload_config()
    do_import(ws, ORG / "events.csv", channel="club")
    return ws


def test_per_event(club):
    data = E.events(club, "2024-06-30")
    assert data["total_events"] == 6
    ev = {e["name"]: e for e in data["events"]}
    assert [e["name"] for e in data["events"]] == [f"Apéro E{i}" for i in (6, 5, 4, 3, 2, 1)]
    got = {n[-2:]: (e["yes"], e["no"], e["maybe"], e["waitlist"], e["checkins"], e["show_up_pct"])
           for n, e in ev.items()}
    assert got == {"E1": (4, 1, 0, 0, 3, 75.0), "E2": (3, 0, 1, 0, 2, 66.7), "E3": (2, 0, 0, 1, 0, None),
                   "E4": (3, 0, 0, 0, 4, 133.3), "E5": (2, 0, 0, 0, 1, 50.0), "E6": (3, 0, 0, 0, 2, 66.7)}
    ret = {n[-2:]: (e["first_timers"], e["returned"], e["return_pct"], e["return_pending"]) for n, e in ev.items()}
    assert ret == {"E1": (3, 1, 33.3, False), "E2": (1, 0, 0.0, False), "E3": (0, 0, None, False),
                   "E4": (2, 2, 100.0, False), "E5": (0, None, None, False), "E6": (0, None, None, False)}


def test_per_quarter(club):
    q1, q2 = E.events(club, "2024-06-30")["quarters"]
    assert q1 == {"quarter": "2024-Q1", "events": 3, "rsvp_yes": 9, "checkins": 5, "show_up_pct": 71.4,
                  "show_up_checkins": 5, "show_up_rsvp_yes": 7,
                  "first_timers": 4, "returned": 1, "return_pct": 25.0, "online_people": 4, "converted": 3,
                  "conversion_pct": 75.0, "attendees": 4, "activated": 2, "activation_pct": 50.0}
    assert q2 == {"quarter": "2024-Q2", "events": 3, "rsvp_yes": 8, "checkins": 7, "show_up_pct": 87.5,
                  "show_up_checkins": 7, "show_up_rsvp_yes": 8,
                  "first_timers": 2, "returned": 2, "return_pct": 100.0, "online_people": 3, "converted": 2,
                  "conversion_pct": 66.7, "attendees": 4, "activated": 1, "activation_pct": 25.0}


def test_as_of_hides_what_came_later(club):
    data = E.events(club, "2024-04-14")
    assert data["total_events"] == 4
    e4 = data["events"][0]
    # E4's first-timers cannot have returned yet: two more events are needed to decide
    assert (e4["first_timers"], e4["returned"], e4["return_pending"]) == (2, None, True)
    assert [q["quarter"] for q in data["quarters"]] == ["2024-Q1", "2024-Q2"]
    assert data["quarters"][1]["attendees"] == 0  # E4 is not 4 weeks old yet


def test_cli_events(cli, tmp_path):
    shutil.copy(ORG / "lien.toml", tmp_path / "lien.toml")
    cli("import", "--channel", "club", ORG / "events.csv")
    code, o, _ = cli("events", "--as-of", "2024-06-30", "--json")
    assert code == 0 and json.loads(o)["quarters"][0]["show_up_pct"] == 71.4
    code, o, _ = cli("--lang", "fr", "events", "--as-of", "2024-06-30", "-n", "2")
    assert code == 0 and "Par trimestre" in o and "6 événements" in o and "E1" not in o.split("Par trimestre")[0]
    code, o, _ = cli("events")
    assert code == 0 and "No event yet" not in o
