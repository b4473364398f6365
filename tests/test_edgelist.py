"""Temporal edge list importer: whitespace, comments, header, Unix and ISO times, duplicates,
bad lines, and the real CollegeMsg network."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from conftest import DATA, do_import, snapshot
from lien.errors import BadInput

EL = DATA / "edgelist"


def test_small_edge_list(ws):
    [s] = do_import(ws, EL / "small.txt")
    assert s.format == "edgelist"
    assert (s.read, s.added, s.identities_added) == (6, 6, 3)
    assert s.warnings == ["line 3 taken as a header: sender recipient unixtime"]
    rows = ws.rows("""SELECT i.key AS src, t.key AS dst, a.ts, a.kind, a.channel, a.native FROM activities a
                      JOIN identities i ON i.id = a.identity_id JOIN identities t ON t.id = a.target_identity_id
                      ORDER BY a.ts, src""")
    assert [(r["src"], r["dst"], r["ts"]) for r in rows] == [
        ("alice", "carol", datetime(2024, 3, 1, 9, 2)),
        ("carol", "alice", datetime(2024, 3, 1, 9, 3)),
        ("alice", "bob", datetime(2024, 3, 1, 10, 0)),
        ("alice", "bob", datetime(2024, 3, 1, 10, 0)),  # the same line twice: two messages
        ("bob", "alice", datetime(2024, 3, 1, 10, 1)),
        ("bob", "bob", datetime(2024, 3, 1, 10, 1, 40)),  # milliseconds
    ]
    assert {r["kind"] for r in rows} == {"message"} and {r["channel"] for r in rows} == {"edgelist:small"}
    assert json.loads(rows[1]["native"]) == {"extra": ["0.5"]}


def test_reimport_adds_nothing(ws):
    do_import(ws, EL / "small.txt")
    before = snapshot(ws)
    [s] = do_import(ws, EL / "small.txt")
    assert (s.added, s.updated, s.unchanged) == (0, 0, 6)
    assert {k: v for k, v in snapshot(ws).items() if k != "sources"} == {k: v for k, v in before.items() if k != "sources"}


def test_grown_file_adds_only_new_lines(ws, tmp_path):
    f = tmp_path / "small.txt"
    f.write_bytes((EL / "small.txt").read_bytes())
    do_import(ws, f)
    with open(f, "a") as out:
        out.write("alice bob 1709287200\ncarol bob 1709290000\n")
    [s] = do_import(ws, f)
    assert (s.added, s.unchanged) == (2, 6)  # a third identical line is a third message


def test_bad_lines(ws):
    do_import(ws, EL / "small.txt")
    before = snapshot(ws)
    with pytest.raises(BadInput) as e:
        do_import(ws, EL / "bad.txt", format="edgelist")
    assert e.value.info.record == "line 2" and e.value.info.found == "'bob alice yesterday'"
    assert e.value.info.file.endswith("bad.txt")
    assert snapshot(ws) == before
    [s] = do_import(ws, EL / "bad.txt", format="edgelist", skip_bad=True)
    assert s.added == 2 and [b.record for b in s.bad] == ["line 2", "line 3"]


def test_real_college_messages(ws, shared):
    path = shared / "edgelists-temporal" / "CollegeMsg.txt"
    lines = [ln.split() for ln in path.read_text().splitlines() if ln.strip()]
    nodes = {x for ln in lines for x in ln[:2]}
    stamps = [int(ln[2]) for ln in lines]
    # the data README's figures
    assert (len(lines), len(nodes), min(stamps), max(stamps)) == (59835, 1899, 1082040961, 1098777142)
    [s] = do_import(ws, path)
    assert s.format == "edgelist" and s.warnings == []
    assert (s.read, s.added, s.identities_added) == (len(lines), len(lines), len(nodes))
    lo, hi = ws.con.execute("SELECT min(ts), max(ts) FROM activities").fetchone()
    utc = lambda x: datetime.fromtimestamp(x, timezone.utc).replace(tzinfo=None)  # noqa: E731
    assert (lo, hi) == (utc(min(stamps)), utc(max(stamps)))
    pairs = {(a, b) for a, b, _ in lines}
    assert ws.scalar("SELECT count(DISTINCT (identity_id, target_identity_id)) FROM activities") == len(pairs) == 20296
    [s2] = do_import(ws, path)
    assert (s2.added, s2.updated, s2.unchanged) == (0, 0, len(lines))
    assert ws.count("activities") == len(lines)
