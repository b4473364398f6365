"""Check-in sheets and Eventbrite attendee reports: long and grid sheets, French headers,
statuses, dates, the Eventbrite report, and the real Davis Southern Women attendance."""
from __future__ import annotations

import csv
import os
from datetime import datetime, timezone

import pytest

from conftest import DATA, do_import, snapshot
from lien.errors import BadInput
from lien.sources.checkin import parse_date

CK = DATA / "checkin"


def attendance(ws):
    return [(r["kind"], r["key"], r["name"], r["ts"]) for r in ws.rows("""
        SELECT a.kind, i.key, e.name, a.ts FROM activities a JOIN identities i ON i.id = a.identity_id
        JOIN events e ON e.id = a.thread_id ORDER BY e.name, i.key, a.kind""")]


def test_french_sign_in_sheet(ws):
    [s] = do_import(ws, CK / "signin.csv")
    assert (s.format, s.read, s.added, s.identities_added, s.events_added, s.warnings) == ("checkin", 4, 4, 3, 2, [])
    assert attendance(ws) == [
        ("attend", "lea@example.org", "Apéro de mars", datetime(2024, 3, 7)),
        ("no_show", "paul durand", "Apéro de mars", datetime(2024, 3, 7)),
        ("attend", "ana@example.org", "Atelier vélo", datetime(2024, 3, 16)),
        ("attend", "lea@example.org", "Atelier vélo", datetime(2024, 3, 16)),
    ]
    assert {r["name"]: r["starts_at"] for r in ws.rows("SELECT name, starts_at FROM events")} == {
        "Apéro de mars": datetime(2024, 3, 7), "Atelier vélo": datetime(2024, 3, 16)}
    names = {r["key"]: r["display_name"] for r in ws.rows("SELECT key, display_name FROM identities")}
    assert names == {"lea@example.org": "Léa Martin", "paul durand": "Paul Durand", "ana@example.org": "Ana Silva"}
    assert {r["channel"] for r in ws.rows("SELECT channel FROM activities")} == {"checkin:signin"}


def test_grid_of_dates(ws):
    [s] = do_import(ws, CK / "grid.csv")
    assert (s.read, s.added, s.events_added) == (3, 5, 3)
    assert attendance(ws) == [
        ("attend", "lea@example.org", "2024-03-07", datetime(2024, 3, 7)),
        ("attend", "paul durand", "2024-03-07", datetime(2024, 3, 7)),
        ("attend", "lea@example.org", "2024-03-16", datetime(2024, 3, 16)),
        ("attend", "ana@example.org", "2024-04-04", datetime(2024, 4, 4)),  # a time in the cell: came
        ("no_show", "paul durand", "2024-04-04", datetime(2024, 4, 4)),
    ]


def test_eventbrite_attendee_report(ws):
    [s] = do_import(ws, CK / "eventbrite-apero.csv")
    assert (s.format, s.read, s.identities_added, s.events_added) == ("checkin", 5, 5, 1)
    assert {k: v["added"] for k, v in s.by_kind.items()} == {"rsvp_yes": 3, "rsvp_no": 2, "attend": 2, "no_show": 1}
    assert s.warnings == ["no event date: 3 check-ins and no-shows are dated by their order; "
                          "give --format checkin --map \"date='YYYY-MM-DD HH:MM'\""]
    got = attendance(ws)
    assert ("rsvp_yes", "lea@example.org", "eventbrite-apero", datetime(2024, 11, 29, 22, 28)) in got
    assert [(k, who) for k, who, _, _ in got] == [
        ("rsvp_no", "ana@example.org"), ("attend", "bo@example.org"), ("rsvp_yes", "bo@example.org"),
        ("rsvp_no", "cy@example.org"), ("attend", "lea@example.org"), ("rsvp_yes", "lea@example.org"),
        ("no_show", "paul@example.org"), ("rsvp_yes", "paul@example.org")]
    assert {r["channel"] for r in ws.rows("SELECT channel FROM events")} == {"eventbrite:eventbrite-apero"}


def test_eventbrite_with_the_event_date_given(ws):
    [s] = do_import(ws, CK / "eventbrite-apero.csv", format="checkin", mapping={"date": "'2024-12-05 19:00'"})
    assert s.warnings == []
    assert ws.scalar("SELECT starts_at FROM events") == datetime(2024, 12, 5, 19, 0)
    assert {r["ts"] for r in ws.rows("SELECT ts FROM activities WHERE kind IN ('attend', 'no_show')")} == {
        datetime(2024, 12, 5, 19, 0)}


def test_reimport_adds_nothing(ws):
    for f in ("signin.csv", "grid.csv", "eventbrite-apero.csv"):
        do_import(ws, CK / f)
    before = snapshot(ws)
    summaries = do_import(ws, CK / "signin.csv", CK / "grid.csv", CK / "eventbrite-apero.csv")
    assert [(s.added, s.updated, s.events_added, s.events_updated) for s in summaries] == [(0, 0, 0, 0)] * 3
    assert {k: v for k, v in snapshot(ws).items() if k != "sources"} == {k: v for k, v in before.items() if k != "sources"}


def test_bad_rows_name_the_line_and_change_nothing(ws):
    do_import(ws, CK / "signin.csv")
    before = snapshot(ws)
    with pytest.raises(BadInput) as e:
        do_import(ws, CK / "bad.csv")
    assert (e.value.info.record, e.value.info.found) == ("row 2 (line 3)", "'9 mars'")
    assert e.value.info.file.endswith("bad.csv")
    assert snapshot(ws) == before
    [s] = do_import(ws, CK / "bad.csv", skip_bad=True)
    assert s.added == 2 and [b.record for b in s.bad] == ["row 2 (line 3)", "row 3 (line 4)"]


def test_windows_1252_sheet(ws, tmp_path):
    f = tmp_path / "feuille.csv"
    f.write_bytes("nom;événement;date\nLéa;Apéro;2024-03-07\n".encode("cp1252"))
    [s] = do_import(ws, f)
    assert s.format == "checkin" and s.warnings == ["the file is not UTF-8: read as Windows-1252"]
    assert ws.scalar("SELECT name FROM events") == "Apéro"


def test_parse_date():
    assert parse_date("07/03/2024") == datetime(2024, 3, 7)
    assert parse_date("11/29/24 22:28", dayfirst=False) == datetime(2024, 11, 29, 22, 28)
    assert parse_date("2024-03-07T10:00:00+01:00") == datetime(2024, 3, 7, 9, 0)
    assert parse_date("9 mars") is None


def test_real_davis_southern_women(ws, shared):
    path = shared / "davis-southern-women" / "davis_southern_women_attendance.csv"
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    women, events = {r["woman"] for r in rows}, {r["event"] for r in rows}
    assert (len(rows), len(women), len(events)) == (89, 18, 14)  # the data README's figures
    [s] = do_import(ws, path)
    assert (s.format, s.read, s.added, s.identities_added, s.events_added) == (
        "checkin", len(rows), len(rows), len(women), len(events))
    assert s.by_kind == {"attend": {"added": 89, "updated": 0, "unchanged": 0}}
    # the events are only labelled E1..E14: their dates stay unknown, the acts carry the file's date
    assert sorted(r["name"] for r in ws.rows("SELECT name FROM events WHERE starts_at IS NULL")) == sorted(events)
    mtime = datetime.fromtimestamp(int(os.stat(path).st_mtime), timezone.utc).replace(tzinfo=None)
    assert {r["ts"] for r in ws.rows("SELECT DISTINCT ts FROM activities")} == {mtime}
    assert len(s.warnings) == 1 and s.warnings[0].startswith("no date for 89 attendances")
    per_woman = {r["display_name"]: r["n"] for r in ws.rows("""
        SELECT i.display_name, count(*) AS n FROM activities a JOIN identities i ON i.id = a.identity_id GROUP BY 1""")}
    assert per_woman == {w: sum(r["woman"] == w for r in rows) for w in women}
    [s2] = do_import(ws, path)
    assert (s2.added, s2.updated, s2.unchanged, s2.events_added) == (0, 0, 89, 0)
