"""Meetup importer: API JSON (v2 pages, v3 lists), the RSVP stream, attendance, attendee lists."""
from __future__ import annotations

import json
from collections import Counter
from datetime import datetime

import pytest

from lien.errors import BadInput
from lien.sources.load import detect
from lien.text import short_hash
from conftest import DATA, do_import, snapshot

T = DATA / "meetup"
APERO = "https://www.meetup.com/lien-paris/events/298000001/"
APERO_START = {"event": APERO, "event_start": "2024-03-06T18:00:00Z"}


def ev_id(native: str) -> str:
    return short_hash("meetup", "event", native)


def kinds(ws):
    return dict(ws.con.execute("SELECT kind, count(*) FROM activities GROUP BY 1").fetchall())


def test_v2_pages_events_rsvps_comments(ws):
    [e, r, c] = do_import(ws, T / "v2_events.json", T / "v2_rsvps.json", T / "comments.json")
    assert (e.format, e.read, e.events_added) == ("meetup", 2, 2)
    assert (r.read, c.read) == (3, 1)
    assert kinds(ws) == {"host": 1, "rsvp_yes": 1, "waitlist": 1, "rsvp_no": 1, "comment": 1, "reply": 1}
    ev = ws.rows("SELECT * FROM events WHERE id = ?", [ev_id("lien-paris/298000001")])[0]
    assert (ev["name"], ev["starts_at"], ev["ends_at"], ev["capacity"], ev["channel"], ev["url"]) == \
        ("Apéro numérique", datetime(2024, 3, 6, 18), datetime(2024, 3, 6, 20), 30, "meetup:lien-paris", APERO)
    assert ev["place"] == "Café du coin, 1 rue de la Paix, Paris"
    # the RSVP page said the same of this event: not an update
    assert r.events_updated == 0
    # every act on the event has it as its thread; members live on channel meetup, keyed by id
    assert ws.scalar("SELECT count(*) FROM activities WHERE thread_id = ?", [ev["id"]]) == 6
    assert ws.rows("SELECT channel, key, display_name, url FROM identities ORDER BY key") == [
        {"channel": "meetup", "key": "101", "display_name": "Léa", "url": "https://www.meetup.com/members/101/"},
        {"channel": "meetup", "key": "102", "display_name": "Paul", "url": "https://www.meetup.com/members/102/"},
        {"channel": "meetup", "key": "103", "display_name": "Max", "url": "https://www.meetup.com/members/103/"},
        {"channel": "meetup", "key": "104", "display_name": "Noé", "url": "https://www.meetup.com/members/104/"},
    ]
    paul = ws.rows("SELECT a.ts, a.native->>'guests' AS guests FROM activities a JOIN identities i "
                   "ON i.id = a.identity_id WHERE i.key = '102' AND kind = 'rsvp_yes'")[0]
    assert paul == {"ts": datetime(2024, 2, 21, 7, 30), "guests": "1"}  # mtime
    reply = ws.rows("SELECT * FROM activities WHERE kind = 'reply'")[0]
    comment = ws.rows("SELECT * FROM activities WHERE kind = 'comment'")[0]
    assert reply["in_reply_to"] == comment["id"] and reply["target_identity_id"] == comment["identity_id"]
    assert comment["text"] == "Super soirée, merci & à bientôt"
    assert ws.scalar("SELECT name FROM events WHERE name LIKE 'Atelier%'") == "Atelier <em>données</em>"


def test_reimport_adds_nothing(ws):
    files = [T / "v2_events.json", T / "v2_rsvps.json", T / "comments.json", T / "stream.json"]
    do_import(ws, *files)
    before = snapshot(ws)
    for s in do_import(ws, *files):
        assert (s.added, s.updated, s.events_added, s.events_updated, s.identities_added) == (0, 0, 0, 0, 0)
    assert {k: v for k, v in snapshot(ws).items() if k != "sources"} == {k: v for k, v in before.items() if k != "sources"}


def test_stream_latest_answer_wins(ws):
    [s] = do_import(ws, T / "stream.json")
    # member 11 said yes (mtime 2000), no (3000), then a late message yes (2500) arrives: no stands
    assert (s.read, s.added) == (4, 2)
    assert kinds(ws) == {"rsvp_no": 1, "rsvp_yes": 1}
    assert ws.scalar("SELECT kind FROM activities a JOIN identities i ON i.id = a.identity_id WHERE key = '11'") == "rsvp_no"
    assert ws.scalar("SELECT channel FROM events") == "meetup:rando-club"
    assert any("1 stream records older" in w for w in s.warnings)


def test_attendance_list(ws):
    with pytest.raises(BadInput) as e:
        do_import(ws, T / "attendance.json")
    assert e.value.info.record == "item 1" and "event" in e.value.info.expected
    [s] = do_import(ws, T / "attendance.json", extra=APERO_START)
    assert kinds(ws) == {"attend": 2, "no_show": 1}  # 'absent' is not an act
    assert ws.scalar("SELECT count(*) FROM activities WHERE identity_id IS NULL") == 1  # a former member (id 0)
    assert ws.scalar("SELECT DISTINCT thread_id FROM activities") == ev_id("lien-paris/298000001")
    assert ws.scalar("SELECT DISTINCT ts FROM activities") == datetime(2024, 3, 6, 18)
    assert any("1 attendance records neither" in w for w in s.warnings)


def test_attendee_list_export(ws):
    f = T / "Apero_numerique_attendees.tsv"
    assert detect(f).name == "meetup"
    [s] = do_import(ws, f, extra=APERO_START)
    assert (s.read, s.added, s.identities_added) == (5, 9, 5)
    assert kinds(ws) == {"rsvp_yes": 3, "waitlist": 1, "rsvp_no": 1, "host": 1, "attend": 2, "no_show": 1}
    # the same event and the same RSVP ids as the API's
    assert ws.scalar("SELECT id FROM events") == ev_id("lien-paris/298000001")
    assert ws.scalar("SELECT DISTINCT ts FROM activities WHERE kind IN ('attend', 'host')") == datetime(2024, 3, 6, 18)
    assert ws.scalar("SELECT ts FROM activities a JOIN identities i ON i.id = a.identity_id "
                     "WHERE key = '107'") == datetime(2024, 3, 1, 12)
    assert ws.scalar("SELECT native->>'title' FROM identities WHERE key = '101'") == "Co-organisatrice"


def test_attendee_list_without_the_event(ws):
    [s] = do_import(ws, T / "Apero_numerique_attendees.tsv")
    ev = ws.rows("SELECT * FROM events")[0]
    assert (ev["name"], ev["starts_at"], ev["channel"]) == ("Apero_numerique_attendees", None, "meetup:lien-paris")
    assert ws.scalar("SELECT DISTINCT ts FROM activities WHERE kind = 'attend'") == datetime(2024, 3, 2, 8)
    assert any("does not say when the event was" in w for w in s.warnings)


def test_bad_and_truncated_inputs_change_nothing(ws):
    do_import(ws, T / "v2_events.json")
    before = snapshot(ws)
    with pytest.raises(BadInput) as e:
        do_import(ws, T / "bad_attendees.csv")
    assert (e.value.info.record, e.value.info.found) == ("row 2 (line 3)", "'Peut-être'")
    with pytest.raises(BadInput) as e:
        do_import(ws, T / "truncated_rsvps.json")
    assert e.value.info.record == "the file" and "truncated_rsvps.json" in e.value.info.file
    assert snapshot(ws) == before
    [s] = do_import(ws, T / "bad_attendees.csv", skip_bad=True)
    assert s.added == 2 and [b.record for b in s.bad] == ["row 2 (line 3)"]  # Léa's yes and host


def test_detection_tells_meetup_from_other_json(ws, tmp_path):
    for f in ("v2_events.json", "v2_rsvps.json", "comments.json", "stream.json", "attendance.json"):
        assert detect(T / f).name == "meetup", f
    from lien.sources.meetup import MeetupSource

    other = tmp_path / "other.json"
    other.write_bytes(json.dumps([{"id": 1, "name": "x", "time": 3, "status": "ok", "group": "g"}]).encode())
    assert MeetupSource.detect(other, other.read_bytes()) == 0
    posts = tmp_path / "posts.csv"
    posts.write_bytes(b"Name,User ID,Title\nA,1,B\n")
    assert MeetupSource.detect(posts, posts.read_bytes()) == 0


# ------------------------------------------------------------------------------------------
# real data

@pytest.mark.realdata
def test_real_perceval_meetup(ws, shared):
    d = shared / "perceval-tests" / "meetup"
    names = ["meetup_events.json", "meetup_events_next.json", "meetup_events_range.json", "meetup_rsvps.json",
             "meetup_comments.json"]
    raw = {n: json.loads((d / n).read_text()) for n in names}
    # what the files hold, read here on their own
    links = {e["link"].rstrip("/").rsplit("/", 1)[1] for n in names[:3] for e in raw[n]}
    assert links == {"229789593", "231539759", "233964056"}  # events_range repeats 231539759
    host_pairs = {(e["link"], h["id"]) for n in names[:3] for e in raw[n] for h in e["event_hosts"]}
    host_pairs |= {(r["event"]["id"], r["member"]["id"]) for r in raw["meetup_rsvps.json"]
                   if r["member"]["event_context"]["host"]}
    assert len(host_pairs) == 6  # Alberto hosts 233964056 says both its event and his RSVP: one act
    members = {h["id"] for n in names[:3] for e in raw[n] for h in e["event_hosts"]}
    members |= {r["member"]["id"] for n in names[3:] for r in raw[n]}
    assert len(members) == 6

    summaries = do_import(ws, *[d / n for n in names])
    assert [s.read for s in summaries] == [2, 1, 1, 3, 2]
    assert ws.count("events") == 3
    assert kinds(ws) == {"host": 5, "rsvp_yes": 3, "comment": 2}
    assert ws.scalar("SELECT count(*) FROM identities WHERE channel = 'meetup'") == 6
    assert {r[0] for r in ws.con.execute("SELECT DISTINCT channel FROM activities").fetchall()} == {"meetup:sqlpass-es"}
    # the RSVPs and the comments point at the event whose link is /events/233964056/ (its "id" was anonymised to "3")
    sat = ws.rows("SELECT id, name, starts_at FROM events WHERE url LIKE '%233964056%'")[0]
    assert sat["name"] == "SQL Saturday Madrid 2016" and sat["starts_at"] == datetime(2016, 9, 24, 6)
    assert ws.scalar("SELECT count(*) FROM activities WHERE thread_id = ? AND kind IN ('rsvp_yes', 'comment')",
                     [sat["id"]]) == 5
    # the empty list: nothing to detect, imported when named
    [e] = do_import(ws, d / "meetup_events_empty.json", format="meetup")
    assert (e.read, e.added, e.events_added) == (0, 0, 0)
    before = snapshot(ws)
    for s in do_import(ws, *[d / n for n in names]):
        assert (s.added, s.updated, s.events_added, s.events_updated) == (0, 0, 0, 0)
    assert {k: v for k, v in snapshot(ws).items() if k != "sources"} == {k: v for k, v in before.items() if k != "sources"}


def _stream_oracle(path):
    """The stream read on its own: the latest answer (by mtime) of each member to each event."""
    latest, good, bad = {}, 0, []
    for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
        except json.JSONDecodeError:
            bad.append(n)
            continue
        good += 1
        key = (r["event"]["event_id"], r["member"]["member_id"])
        if key not in latest or r["mtime"] >= latest[key]["mtime"]:
            latest[key] = r
    return good, bad, latest


@pytest.mark.realdata
def test_real_rsvp_stream(ws, shared):
    f = shared / "meetup-rsvp-stream-2017" / "meetup.json"
    good, bad, latest = _stream_oracle(f)
    assert (good, bad) == (879, [880])
    responses = Counter(r["response"] for r in latest.values())
    assert responses == {"yes": 510, "no": 213}  # 723 member-event answers in 879 messages
    members = {r["member"]["member_id"] for r in latest.values()}
    events = {(r["group"]["group_urlname"].lower(), r["event"]["event_id"]) for r in latest.values()}
    assert (len(members), len(events)) == (637, 682)

    before = snapshot(ws)
    with pytest.raises(BadInput) as e:
        do_import(ws, f)
    assert e.value.info.record == "line 880" and e.value.info.expected == "one JSON object"
    assert snapshot(ws) == before

    [s] = do_import(ws, f, skip_bad=True)
    assert (s.read, s.added, s.skipped) == (879, 723, 1)
    assert [b.record for b in s.bad] == ["line 880"]
    assert kinds(ws) == {"rsvp_yes": 510, "rsvp_no": 213}
    assert ws.scalar("SELECT count(*) FROM identities WHERE channel = 'meetup'") == 637
    assert ws.count("events") == 682
    assert ws.scalar("SELECT count(DISTINCT channel) FROM events") == len({g for g, _ in events})
    # an alphanumeric event_id (a recurring event's) is known by the number in its event_url, kept in native
    row = ws.rows("SELECT id, url FROM events WHERE native->>'meetup_id' = 'lhcvlmywfbjc'")[0]
    assert row["url"] == "https://www.meetup.com/Gurgaon-Book-Club-Novel-Ideas/events/238020841/"
    assert row["id"] == ev_id("gurgaon-book-club-novel-ideas/238020841")
    snap = snapshot(ws)
    [s2] = do_import(ws, f, skip_bad=True)
    assert (s2.added, s2.updated, s2.events_added, s2.events_updated) == (0, 0, 0, 0)
    assert {k: v for k, v in snapshot(ws).items() if k != "sources"} == {k: v for k, v in snap.items() if k != "sources"}
