"""`lien import --event/--event-start/--event-name`: Meetup attendance and attendee lists that
do not name their event get it from the command line (tests/data/meetup: attendance.json has
Paul attended, Zoé noshow, Ana absent and a former member attended; the attendee list has 5
rows: Léa yes + host + Y, Paul yes + Y, Zoé yes + N, Max waitlist, Noé no)."""
from __future__ import annotations

import json
from datetime import datetime

import lien
from lien.text import short_hash
from conftest import DATA, snapshot

T = DATA / "meetup"
APERO = "https://www.meetup.com/lien-paris/events/298000001/"
EVENT_ID = short_hash("meetup", "event", "lien-paris/298000001")


def rows(tmp_path, sql: str) -> list[tuple]:
    w = lien.open(tmp_path / "lien.duckdb")
    try:
        return w.con.execute(sql).fetchall()
    finally:
        w.close()


def test_attendance_takes_its_event_from_the_options(cli, tmp_path) -> None:
    code, out, err = cli("init")
    assert code == 0, err
    w = lien.open(tmp_path / "lien.duckdb")
    before = snapshot(w)
    w.close()
    # without the event: refused, nothing imported
    code, out, err = cli("import", T / "attendance.json")
    assert code == 1 and "item 1" in err and "--event" in err and "the workspace is unchanged" in err
    w = lien.open(tmp_path / "lien.duckdb")
    assert snapshot(w) == before
    w.close()
    code, out, err = cli("import", T / "attendance.json", "--event", APERO, "--event-start", "2024-03-06T18:00:00Z",
                         "--json")
    assert code == 0, err
    [s] = json.loads(out)["imports"]
    assert s["added"] == 3
    assert rows(tmp_path, "SELECT kind, count(*), min(ts), max(ts), min(thread_id), max(thread_id) FROM activities "
                          "GROUP BY 1 ORDER BY 1") == [
        ("attend", 2, datetime(2024, 3, 6, 18), datetime(2024, 3, 6, 18), EVENT_ID, EVENT_ID),
        ("no_show", 1, datetime(2024, 3, 6, 18), datetime(2024, 3, 6, 18), EVENT_ID, EVENT_ID)]
    assert rows(tmp_path, "SELECT id, channel, starts_at, url FROM events") == [
        (EVENT_ID, "meetup:lien-paris", datetime(2024, 3, 6, 18), APERO)]
    # again: nothing new
    code, out, err = cli("import", T / "attendance.json", "--event", APERO, "--event-start", "2024-03-06T18:00:00Z",
                         "--json")
    assert code == 0, err
    assert json.loads(out)["imports"][0]["added"] == 0
    assert rows(tmp_path, "SELECT count(*) FROM activities") == [(3,)]


def test_attendee_list_named_and_dated_from_the_options(cli, tmp_path) -> None:
    code, out, err = cli("import", T / "Apero_numerique_attendees.tsv", "--event", APERO,
                         "--event-start", "2024-03-06T18:00:00Z", "--event-name", "Apéro numérique", "--json")
    assert code == 0, err
    [s] = json.loads(out)["imports"]
    assert (s["read"], s["added"], s["warnings"]) == (5, 9, [])
    assert rows(tmp_path, "SELECT id, name, starts_at, channel FROM events") == [
        (EVENT_ID, "Apéro numérique", datetime(2024, 3, 6, 18), "meetup:lien-paris")]
    assert dict(rows(tmp_path, "SELECT kind, count(*) FROM activities GROUP BY 1")) == {
        "rsvp_yes": 3, "host": 1, "attend": 2, "no_show": 1, "waitlist": 1, "rsvp_no": 1}
    assert rows(tmp_path, "SELECT DISTINCT ts FROM activities WHERE kind IN ('attend', 'no_show', 'host')") == [
        (datetime(2024, 3, 6, 18),)]


def test_attendee_list_without_its_start_warns_in_french(cli, tmp_path) -> None:
    code, out, err = cli("--lang", "fr", "import", T / "Apero_numerique_attendees.tsv")
    assert code == 0, err
    err = " ".join(err.split())
    assert "Attention : " in err and "indiquez --event-start pour les dater" in err
