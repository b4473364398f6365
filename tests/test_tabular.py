"""Generic CSV / JSON Lines importer: mapping, ids, idempotence, bad input."""
from __future__ import annotations

from datetime import datetime

import pytest

from lien.errors import BadInput
from conftest import DATA, do_import, snapshot

T = DATA / "tabular"


def test_csv_canonical_columns(ws):
    [s] = do_import(ws, T / "acts.csv")
    assert (s.format, s.read, s.added, s.updated, s.unchanged, s.identities_added) == ("csv", 5, 5, 0, 0, 3)
    assert s.by_kind["like"]["added"] == 2
    rows = ws.rows("SELECT kind, ts, text, channel FROM activities ORDER BY ts, kind")
    assert [r["kind"] for r in rows] == ["post", "comment", "like", "like", "reply"]
    # timezones: +01:00 becomes UTC; Unix seconds and milliseconds both understood
    assert rows[4]["ts"] == datetime(2024, 1, 6, 11, 30)
    assert rows[2]["ts"] == rows[3]["ts"] == datetime(2024, 1, 6, 11, 20)
    # HTML reduced to text, entities decoded
    assert rows[0]["text"] == "Bonjour à tous & bienvenue"
    assert {r["channel"] for r in rows} == {"acts"}
    # threading: the reply points at the comment, all share the post's thread
    reply = ws.rows("SELECT * FROM activities WHERE kind = 'reply'")[0]
    comment = ws.rows("SELECT * FROM activities WHERE kind = 'comment'")[0]
    post = ws.rows("SELECT * FROM activities WHERE kind = 'post'")[0]
    assert reply["in_reply_to"] == comment["id"] and comment["in_reply_to"] == post["id"]
    assert reply["thread_id"] == post["id"]
    names = {r[0] for r in ws.con.execute("SELECT display_name FROM identities").fetchall()}
    assert names == {"Asso Lien", "Paul Martin", "Léa"}


def test_reimport_is_idempotent_and_newer_export_adds_and_updates(ws):
    do_import(ws, T / "acts.csv")
    before = snapshot(ws)
    [s] = do_import(ws, T / "acts.csv")
    assert (s.added, s.updated, s.unchanged) == (0, 0, 5)
    after = snapshot(ws)
    assert {k: v for k, v in after.items() if k != "sources"} == {k: v for k, v in before.items() if k != "sources"}
    [s2] = do_import(ws, T / "acts_v2.csv", channel="acts")
    # a different file of the same channel: same ids (namespace = format + channel)
    assert (s2.added, s2.updated, s2.unchanged) == (1, 1, 4)
    assert ws.count("activities") == 6
    assert ws.scalar("SELECT text FROM activities WHERE kind='comment' AND text LIKE 'Merci%'") == "Merci beaucoup !"


def test_mapping_kind_map_and_events(ws):
    [s] = do_import(ws, T / "tool_export.csv", mapping={"actor": "Member", "kind": "Action", "ts": "When", "event": "Meetup"},
                    extra={"kind_map": {"checked_in": "attend", "rsvp": "rsvp_yes"}})
    assert (s.read, s.added, s.events_added) == (3, 3, 1)
    ev = ws.rows("SELECT * FROM events")[0]
    assert ev["name"] == "apero-mars" and ev["starts_at"] == datetime(2024, 2, 20, 8, 0)
    kinds = ws.rows("SELECT kind, count(*) AS n FROM activities WHERE thread_id = ? GROUP BY 1 ORDER BY 1", [ev["id"]])
    assert kinds == [{"kind": "attend", "n": 2}, {"kind": "rsvp_yes", "n": 1}]


def test_bad_kind_names_the_row_and_changes_nothing(ws):
    do_import(ws, T / "acts.csv")
    before = snapshot(ws)
    with pytest.raises(BadInput) as e:
        do_import(ws, T / "bad_kind.csv")
    assert e.value.info.record == "row 2 (line 3)"
    assert e.value.info.found == "'shout'"
    assert "bad_kind.csv" in e.value.info.file
    assert snapshot(ws) == before


def test_skip_bad_keeps_good_rows_and_lists_bad(ws):
    [s] = do_import(ws, T / "bad_kind.csv", skip_bad=True)
    assert s.added == 1 and s.skipped == 2
    assert [b.record for b in s.bad] == ["row 2 (line 3)", "row 3 (line 4)"]
    assert s.bad[1].found == "'yesterday'"


def test_jsonl_nested_fields(ws):
    [s] = do_import(ws, T / "nested.jsonl", mapping={"actor": "user.mail", "actor_name": "user.name", "text": "body",
                                                     "in_reply_to": "parent"})
    assert (s.format, s.added) == ("jsonl", 3)
    assert ws.scalar("SELECT text FROM activities WHERE kind = 'comment'") == "Hi Ana"
    assert ws.scalar("SELECT display_name FROM identities WHERE key = 'bo@x.org'") == "Bo"


def test_jsonl_truncated_last_line(ws):
    before = snapshot(ws)
    with pytest.raises(BadInput) as e:
        do_import(ws, T / "truncated.jsonl", mapping={"actor": "user.mail"})
    assert e.value.info.record == "line 5"
    assert snapshot(ws) == before
    [s] = do_import(ws, T / "truncated.jsonl", mapping={"actor": "user.mail"}, skip_bad=True)
    assert s.added == 3 and [b.record for b in s.bad] == ["line 5"]


def test_jsonl_typed_times_missing_time_named_and_rest_kept(ws, tmp_path):
    # DuckDB reads these times as TIMESTAMP WITH TIME ZONE: a record without one is bad, named by
    # its number, with nothing to show for the time; the others keep their instants in UTC
    p = tmp_path / "typed.jsonl"
    p.write_text('{"id": "a1", "kind": "comment", "ts": "2025-01-02T03:04:05+02:00", "actor": " Ana "}\n'
                 '{"id": "a2", "kind": "like", "ts": null, "actor": "bo"}\n'
                 '{"id": "a3", "kind": "post", "ts": "2025-01-03T00:00:00Z", "actor": "ana"}\n')
    with pytest.raises(BadInput) as e:
        do_import(ws, p)
    assert (e.value.info.record, e.value.info.found) == ("record 2", "None")
    [s] = do_import(ws, p, skip_bad=True)
    assert (s.added, s.skipped) == (2, 1)
    assert ws.con.execute("SELECT ts FROM activities ORDER BY ts").fetchall() == [
        (datetime(2025, 1, 2, 1, 4, 5),), (datetime(2025, 1, 3),)]
    assert ws.scalar("SELECT count(DISTINCT identity_id) FROM activities") == 1  # ' Ana ' is ana
