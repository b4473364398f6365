"""iCalendar importer: events, occurrences in a window, hosts and answers, bad input."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

from lien.errors import BadInput
from lien.text import short_hash
from conftest import DATA, do_import, snapshot

T = DATA / "ical"
YEAR_2024 = {"since": "2024-01-01", "until": "2024-12-31"}


def ev_id(native: str) -> str:
    return short_hash("ical", "event", native)


def test_club_calendar(ws):
    [s] = do_import(ws, T / "club.ics", extra=YEAR_2024)
    assert s.format == "ical"
    # 5 Atelier occurrences (6 weekly, one EXDATE, one moved by an override), 3 one-offs; the cancelled one left out
    assert (s.read, s.events_added) == (8, 8)
    assert {k: v["added"] for k, v in s.by_kind.items()} == {"host": 6, "rsvp_yes": 6, "rsvp_maybe": 4, "rsvp_no": 2}
    assert s.added == 18
    assert any("6 invitations without an answer" in w for w in s.warnings)
    assert any("1 attendances delegated" in w for w in s.warnings)
    assert any("1 cancelled events" in w for w in s.warnings)
    assert any("5 attendees that are rooms" in w for w in s.warnings)
    evs = ws.rows("SELECT id, name, starts_at, ends_at, place, url, channel FROM events ORDER BY starts_at")
    assert {e["channel"] for e in evs} == {"calendar:Club Lien"}
    assert [e["starts_at"] for e in evs[:5]] == [datetime(2024, 1, 10, 18), datetime(2024, 1, 17, 18),
                                                 datetime(2024, 2, 1, 17), datetime(2024, 2, 7, 18),
                                                 datetime(2024, 2, 14, 18)]
    moved = evs[2]
    assert moved["name"] == "Atelier (déplacé)" and moved["ends_at"] == datetime(2024, 2, 1, 19)
    # the occurrence id is the UID and the start it had in the series (RECURRENCE-ID, in UTC)
    assert moved["id"] == ev_id("atelier@club.example#2024-01-31T18:00:00")
    by_name = {e["name"]: e for e in evs}
    # floating time read in X-WR-TIMEZONE (Paris, UTC+1 in March); DURATION gives the end
    assert (by_name["Réunion du bureau"]["starts_at"], by_name["Réunion du bureau"]["ends_at"]) == \
        (datetime(2024, 3, 5, 17, 30), datetime(2024, 3, 5, 19))
    assert by_name["Réunion du bureau"]["id"] == ev_id("reunion@club.example")
    # all-day: the day as written, one day long; no DTEND on a timed event: ends when it starts
    assert (by_name["Fête de l'été"]["starts_at"], by_name["Fête de l'été"]["ends_at"]) == \
        (datetime(2024, 6, 22), datetime(2024, 6, 23))
    apero = by_name["Apéro"]
    assert (apero["ends_at"], apero["place"], apero["url"]) == (apero["starts_at"], "Café du coin", "https://lien.example/apero")
    # people keyed by e-mail (lower case), named by CN
    ids = ws.rows("SELECT key, display_name, email FROM identities ORDER BY key")
    assert ids == [{"key": "contact@lien.example", "display_name": "Asso Lien", "email": "contact@lien.example"},
                   {"key": "lea@example.org", "display_name": "Léa", "email": "lea@example.org"},
                   {"key": "paul@example.org", "display_name": "Paul", "email": "paul@example.org"},
                   {"key": "zoe@example.org", "display_name": "Zoé", "email": "zoe@example.org"}]
    # Paul declined the moved occurrence only; answers are dated at the event's start and address the organiser
    paul = ws.rows("""SELECT a.kind, a.ts, a.thread_id, t.key AS target FROM activities a
                      JOIN identities i ON i.id = a.identity_id LEFT JOIN identities t ON t.id = a.target_identity_id
                      WHERE i.key = 'paul@example.org' ORDER BY a.ts""")
    assert [p["kind"] for p in paul] == ["rsvp_maybe", "rsvp_maybe", "rsvp_no", "rsvp_maybe", "rsvp_maybe"]
    assert paul[2]["ts"] == moved["starts_at"] and paul[2]["thread_id"] == moved["id"]
    assert {p["target"] for p in paul} == {"contact@lien.example"}
    hosts = ws.rows("""SELECT i.key, count(*) AS n FROM activities a JOIN identities i ON i.id = a.identity_id
                       WHERE kind = 'host' GROUP BY 1 ORDER BY 1""")
    assert hosts == [{"key": "contact@lien.example", "n": 5}, {"key": "lea@example.org", "n": 1}]


def test_reimport_adds_nothing(ws):
    do_import(ws, T / "club.ics", extra=YEAR_2024)
    before = snapshot(ws)
    [s] = do_import(ws, T / "club.ics", extra=YEAR_2024)
    assert (s.added, s.updated, s.unchanged, s.events_added, s.events_updated) == (0, 0, 18, 0, 0)
    after = snapshot(ws)
    assert {k: v for k, v in after.items() if k != "sources"} == {k: v for k, v in before.items() if k != "sources"}


def test_window_bounds_series_not_one_offs(ws):
    [s] = do_import(ws, T / "club.ics", extra={"since": "2024-01-15", "until": "2024-01-31"})
    # only the 17 January Atelier starts in the window (the 24th is an EXDATE, the 31st moved to 1 February);
    # the three one-off events are kept whatever the window
    assert s.events_added == 4
    assert ws.scalar("SELECT count(*) FROM events WHERE name LIKE 'Atelier%'") == 1
    assert any("from 2024-01-15 to 2024-01-31" in w for w in s.warnings)


def test_itip_reply_dates_the_answer(ws):
    [s] = do_import(ws, T / "reply.ics", channel="calendar:Club Lien")
    row = ws.rows("SELECT a.ts, a.thread_id FROM activities a WHERE kind = 'rsvp_yes'")[0]
    assert row["ts"] == datetime(2024, 4, 2, 8, 15)  # DTSTAMP of a METHOD:REPLY, not the event's start
    assert row["thread_id"] == ev_id("apero@club.example")
    assert ws.scalar("SELECT channel FROM events") == "calendar:Club Lien"


def test_truncated_and_broken_files_change_nothing(ws):
    do_import(ws, T / "club.ics", extra=YEAR_2024)
    before = snapshot(ws)
    with pytest.raises(BadInput) as e:
        do_import(ws, T / "truncated.ics")
    assert e.value.info.record == "the file" and "truncated.ics" in e.value.info.file
    with pytest.raises(BadInput) as e:
        do_import(ws, T / "bad_date.ics", extra=YEAR_2024)
    assert e.value.info.record == "VEVENT 5 (UID apero@club.example)"
    assert e.value.info.found == "2024-04-10 dix-sept heures"
    assert snapshot(ws) == before


def test_skip_bad_keeps_the_other_events(ws):
    [s] = do_import(ws, T / "bad_date.ics", extra=YEAR_2024, skip_bad=True)
    assert s.events_added == 7 and [b.record for b in s.bad] == ["VEVENT 5 (UID apero@club.example)"]


def test_detection(ws):
    from lien.sources.load import detect

    assert detect(T / "club.ics").name == "ical"


# ------------------------------------------------------------------------------------------
# real calendars (../shared/data/ical-recurring-ical-events)

def _vevents(path):
    return path.read_text(encoding="utf-8").replace("\r\n", "\n").count("BEGIN:VEVENT")


@pytest.mark.realdata
def test_real_one_off_calendars(ws, shared):
    d = shared / "ical-recurring-ical-events"
    # discourse: 4 one-off events, one without DTEND (it ends when it starts)
    [s] = do_import(ws, d / "discourse_no_dtend.ics")
    assert _vevents(d / "discourse_no_dtend.ics") == 4
    assert (s.events_added, s.added) == (4, 0)
    assert ws.scalar("SELECT channel FROM events LIMIT 1") == "calendar:WiLaP - machBar Events"
    row = ws.rows("SELECT starts_at, ends_at, url, native FROM events WHERE name = '2019-01-17 openLab'")[0]
    assert row["starts_at"] == datetime(2019, 1, 17, 17, 0, 25) and row["ends_at"] == row["starts_at"]
    assert row["url"] is None and '"/c/machbar/calendar"' in row["native"]  # a relative URL is kept aside


@pytest.mark.realdata
def test_real_fablab_monthly_series(ws, shared):
    f = shared / "ical-recurring-ical-events" / "fablab_cottbus.ics"
    text = f.read_text(encoding="utf-8")
    assert _vevents(f) == 28 and text.count("RRULE:FREQ=MONTHLY;BYDAY=1SA") == 1
    [s] = do_import(ws, f, extra={"since": "2016-01-01", "until": "2018-12-31"})
    # 27 one-off events + the Repair Café on the first Saturday of each month of 2018 (from 6 January)
    assert s.events_added == 27 + 12
    series = "native->>'uid' = 'ai1ec-1887@blog.fablab-cottbus.de'"
    assert ws.scalar(f"SELECT count(*) FROM events WHERE {series}") == 12
    assert ws.scalar(f"SELECT min(starts_at) FROM events WHERE {series}") == datetime(2018, 1, 6, 13)
    # plus a one-off Repair Café on Sunday 2 September 2018
    assert ws.scalar("SELECT count(*) FROM events WHERE name = 'Repair Café'") == 13
    assert ws.scalar("SELECT channel FROM events LIMIT 1") == "calendar:fablab_cottbus"
    # the all-day event
    assert ws.scalar("SELECT count(*) FROM events WHERE starts_at = TIMESTAMP '2018-06-09'") == 1
    [s2] = do_import(ws, f, extra={"since": "2016-01-01", "until": "2018-12-31"})
    assert (s2.events_added, s2.events_updated) == (0, 0)


@pytest.mark.realdata
def test_real_thunderbird_overrides(ws, shared):
    f = shared / "ical-recurring-ical-events" / "issue_223_thunderbird.ics"
    text = f.read_text(encoding="utf-8")
    assert len(re.findall(r"^UID:b143dcdc", text, re.M)) == 3
    [s] = do_import(ws, f, extra={"since": "2025-04-01", "until": "2025-04-30"})
    # DAILY from 23 April until 27 April 08:00Z (09:00 London, included): 5 days, two of them overridden
    assert s.events_added == 5
    rows = ws.rows("SELECT starts_at, place FROM events ORDER BY starts_at")
    assert [r["starts_at"] for r in rows] == [datetime(2025, 4, 23, 8), datetime(2025, 4, 24, 10),
                                              datetime(2025, 4, 25, 8), datetime(2025, 4, 26, 8),
                                              datetime(2025, 4, 27, 8)]
    assert rows[2]["place"] == "new place"


@pytest.mark.realdata
@pytest.mark.parametrize("name, since, until", [
    ("machbar_16_feb_2019.ics", "2017-01-01", "2019-06-30"),
    ("issue_173_only_modifications_error.ics", "2022-12-01", "2024-12-31"),
])
def test_real_google_calendars(ws, shared, name, since, until):
    """Google calendars with many series, overrides and EXDATEs: the count of occurrences is
    checked against recurring-ical-events' own public query over the same window."""
    import icalendar
    import recurring_ical_events

    f = shared / "ical-recurring-ical-events" / name
    cal = icalendar.Calendar.from_ical(f.read_bytes())
    day = date.fromisoformat(until) + timedelta(days=1)
    expected = recurring_ical_events.of(cal).between(date.fromisoformat(since), day)
    expected = [c for c in expected if str(c.get("STATUS", "")).upper() != "CANCELLED"]
    uids = {str(c["UID"]) for c in expected}
    [s] = do_import(ws, f, extra={"since": since, "until": until})
    assert s.events_added == len(expected)
    assert s.added == 0  # their only ATTENDEEs are Google calendars (…@group.calendar.google.com), not people
    assert ws.scalar("SELECT count(DISTINCT native->>'uid') FROM events") == len(uids)
    before = snapshot(ws)
    [s2] = do_import(ws, f, extra={"since": since, "until": until})
    assert (s2.events_added, s2.events_updated) == (0, 0)
    assert {k: v for k, v in snapshot(ws).items() if k != "sources"} == {k: v for k, v in before.items() if k != "sources"}
