"""B1, the bridging check (MODEL.md §8), on a hand-made forum with two meetups.

tests/data/bridging/acts.csv: meetup E1 (2024-02-10: Ana, Ben) and E2 (2024-05-11: Ana, Ben,
Cléo); on the forum, each exchange is a post, a reply to it and the author's answer the next day:

    Q1  Ana-Ben (both came)   Ana-Cléo (Cléo did not come)   Cléo-Dan (neither came: not counted)
        Ben-us (the organisation: not counted)   Ana-Sam (Sam is staff: not counted)
    Q2  Ana-Ben (both came)   Ben-Cléo (both came)   Ana-Dan (Dan never came)

so B1 is 1 of 2 = 50 % in 2024-Q1 and 1 of 3 = 33.3 % in 2024-Q2 (down 16.7 points).
"""
from __future__ import annotations

import shutil
from datetime import date

import pytest

from conftest import DATA, do_import

B = DATA / "bridging"
AS_OF = "2024-06-30"


@pytest.fixture
def forum(ws, tmp_path):
    shutil.copy(B / "lien.toml", tmp_path / "lien.toml")
    ws.reload_config()
    do_import(ws, B / "acts.csv")  # the import scores the weeks
    return ws


def test_quarters(forum):
    from lien.metrics.bridging import bridging

    d = bridging(forum, AS_OF)
    assert d["scored"] is True
    assert d["quarters"] == [
        {"quarter": "2024-Q1", "attendees": 2, "exchanges": 2, "bridging": 1, "bridging_pct": 50.0,
         "change_pts": None, "declining": False},
        {"quarter": "2024-Q2", "attendees": 3, "exchanges": 3, "bridging": 1, "bridging_pct": 33.3,
         "change_pts": -16.7, "declining": True},
    ]


def test_as_of_cuts_the_quarter(forum):
    """As of 2024-04-14 the Q2 meetup has not happened: no attendee in Q2 yet; Q1 is whole."""
    from lien.metrics.bridging import bridging

    d = bridging(forum, "2024-04-14")
    assert [q["quarter"] for q in d["quarters"]] == ["2024-Q1"]
    assert d["quarters"][0]["bridging_pct"] == 50.0
    # the week of 2024-02-05 (Cléo-Dan) and before: Ana-Ben and Ana-Cléo only, E1 held on the 10th
    d = bridging(forum, "2024-01-14")
    assert d["quarters"] == []


def test_channel_scope(forum):
    from lien.metrics.bridging import bridging

    assert [q["bridging_pct"] for q in bridging(forum, AS_OF, channel="meetup")["quarters"]] == [50.0, 33.3]
    assert bridging(forum, AS_OF, channel="forum")["quarters"] == []  # no event on the forum


def test_same_from_the_acts_and_from_the_stored_facts(forum):
    """The import keeps event facts (event_checkins); without them the figures come from the acts."""
    from lien.metrics import events
    from lien.metrics.bridging import bridging
    from lien.metrics.sqlcache import shared

    assert events.facts_fresh(forum)
    stored = bridging(forum, AS_OF)
    forum.con.execute("DELETE FROM meta WHERE key = 'event_facts'").fetchall()
    assert not events.facts_fresh(forum)
    with shared(forum):
        assert bridging(forum, AS_OF) == stored


def test_goal_and_sentences(forum):
    from lien import i18n
    from lien.metrics import goals as G
    from lien.metrics.bridging import bridging, sentence

    assert G.value(forum, "B1", date(2024, 6, 30)) == (33.3, "2024-Q2: 1 of 3")
    assert G.value(forum, "B1", date(2024, 3, 31)) == (50.0, "2024-Q1: 1 of 2")
    q1, q2 = bridging(forum, AS_OF)["quarters"]
    assert sentence(q1) == ("2024-Q1: 50.0% of the attendees' exchanges (1 of 2) were with people who came to no event "
                            "that quarter (2 attendees)")
    assert sentence(q2).endswith("down 16.7 points: the circle may be closing")
    i18n.set_lang("fr")
    try:
        assert sentence(q2) == ("2024-Q2 : 33,3 % des échanges des participants (1 sur 3) avec des personnes venues à aucun "
                                "événement du trimestre, en baisse de 16,7 points : le cercle se referme peut-être")
    finally:
        i18n.set_lang(None)


def test_not_scored(ws):
    from lien.metrics.bridging import bridging
    from lien.metrics import goals as G

    assert bridging(ws, AS_OF) == {"as_of": date(2024, 6, 30), "scored": False, "quarters": []}
    assert G.value(ws, "B1", date(2024, 6, 30)) == (None, "no level snapshots yet (run lien score)")


def test_cli_events_shows_b1(forum, cli, tmp_path):
    import orjson

    forum.close()
    code, out, _ = cli("events", "--as-of", AS_OF)
    assert code == 0
    assert "Bridging (B1)" in out
    assert "circle may be closing" in out
    code, out, _ = cli("events", "--as-of", AS_OF, "--json")
    assert [q["bridging_pct"] for q in orjson.loads(out)["bridging"]] == [50.0, 33.3]


def test_events_page_shows_b1(forum, tmp_path):
    """The dashboard's Events page: a B1 column per quarter, its JSON twin the library's answer."""
    pytest.importorskip("fastapi")
    import orjson
    from fastapi.testclient import TestClient

    from lien.metrics.bridging import bridging
    from lien.web import create_app
    from lien.web.app import json_bytes

    c = TestClient(create_app(forum), base_url="http://127.0.0.1:8765")
    d = c.get("/api/events?as_of=" + AS_OF).json()
    assert d["bridging"] == orjson.loads(json_bytes(bridging(forum, AS_OF)["quarters"]))
    html = c.get("/events?as_of=" + AS_OF).text
    assert "with non-attendees (B1)" in html
    assert "1/3" in html and "down 16.7 points" in html
    html = c.get("/events?as_of=" + AS_OF, headers={"Accept-Language": "fr"}).text
    assert "avec les absents (B1)" in html and "en baisse de 16,7 points" in html
