"""The generic importers' unordered stage (read in parallel, every record's seq 0) against the
ordered one (row_number() OVER (), one thread): same tables, summaries and errors, and the
ordered stage taken exactly when the order can matter."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import lien
from lien.errors import BadInput
from lien.sources.base import ImportOptions
from lien.sources.load import run_import
from lien.sources.tabular import _Tabular
from conftest import DATA, snapshot

T = DATA / "tabular"
NOW = datetime(2026, 1, 2, 3, 4, 5)
TABLES = ("sources", "people", "identities", "activities", "events", "links", "goals", "tombstones")

#: (file, options): the fixtures of both test files, good and bad, with and without --skip-bad
CASES = [
    ("acts.csv", {}),
    ("acts_v2.csv", {"channel": "acts"}),
    ("tool_export.csv", {"mapping": {"actor": "Member", "kind": "Action", "ts": "When", "event": "Meetup"},
                         "extra": {"kind_map": {"checked_in": "attend", "rsvp": "rsvp_yes"}}}),
    ("nested.jsonl", {"mapping": {"actor": "user.mail", "actor_name": "user.name", "text": "body", "in_reply_to": "parent"}}),
    ("truncated.jsonl", {"mapping": {"actor": "user.mail"}, "skip_bad": True}),
    ("bad_kind.csv", {"skip_bad": True}),
    ("order_clean.jsonl", {}),
    ("order_dups.csv", {}),
    ("order_renamed.csv", {}),
]


@pytest.fixture
def paths(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The decisions _needs_order took, in order (True: the stage was read again, ordered)."""
    seen: list[bool] = []
    original = _Tabular._needs_order

    def spy(self: _Tabular, has_ids: bool) -> bool:
        seen.append(original(self, has_ids))
        return seen[-1]

    monkeypatch.setattr(_Tabular, "_needs_order", spy)
    return seen


def _import(ws: Any, name: str, opts: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for s in run_import(ws, [str(T / name)], ImportOptions(**opts), now=NOW):
        d = s.to_dict()
        d.pop("seconds")
        out.append(d)
    return out


def _same_tables(a: Path, b: Path) -> None:
    """Every canonical table of two workspaces: the same number of rows, and no row of one
    missing from the other (EXCEPT ALL both ways, so duplicated rows count too)."""
    import duckdb

    con = duckdb.connect(str(a), read_only=True)
    try:
        con.execute(f"ATTACH '{b}' AS b (READ_ONLY)")
        for t in TABLES:
            n_a, n_b = (con.execute(f"SELECT count(*) FROM {db}.{t}").fetchone()[0] for db in ("main", "b"))
            assert n_a == n_b, t
            for x, y in (("main", "b"), ("b", "main")):
                extra = con.execute(f"SELECT * FROM {x}.{t} EXCEPT ALL SELECT * FROM {y}.{t}").fetchall()
                assert extra == [], (t, x, extra)
    finally:
        con.close()


@pytest.mark.parametrize("name,opts", CASES, ids=[c[0] for c in CASES])
def test_unordered_and_ordered_stage_give_the_same_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             name: str, opts: dict[str, Any]) -> None:
    results = {}
    for how in ("default", "ordered"):
        with monkeypatch.context() as m:
            if how == "ordered":  # today's stage, always: every record numbered
                m.setattr(_Tabular, "_needs_order", lambda self, has_ids: True)
            ws = lien.open(tmp_path / how / "lien.duckdb")
            try:
                first = _import(ws, name, opts)
                again = _import(ws, name, opts)  # a re-import adds nothing
            finally:
                ws.close()
        assert again[0]["added"] == again[0]["updated"] == 0
        results[how] = (first, again)
    assert results["default"] == results["ordered"]
    _same_tables(tmp_path / "default" / "lien.duckdb", tmp_path / "ordered" / "lien.duckdb")


def test_clean_file_keeps_the_parallel_stage(ws: Any, paths: list[bool]) -> None:
    [s] = _import(ws, "order_clean.jsonl", {})
    assert paths == [False]
    assert (s["read"], s["added"], s["identities_added"], s["events_added"]) == (6, 6, 4, 1)
    # spaces around values trimmed, keys normalised, the act without an actor anonymous
    assert ws.scalar("SELECT count(DISTINCT identity_id) FROM activities WHERE channel = 'forum'") == 2
    assert ws.scalar("SELECT count(*) FROM activities WHERE identity_id IS NULL") == 1
    assert ws.scalar("SELECT text FROM activities WHERE kind = 'reply'") == "J'y serai"
    assert ws.scalar("SELECT display_name FROM identities WHERE key = 'ana@asso.fr' AND channel = 'forum'") == "Ana Lima"


def test_duplicate_ids_read_in_order_and_the_last_wins(ws: Any, paths: list[bool]) -> None:
    [s] = _import(ws, "order_dups.csv", {})
    assert paths == [True]
    assert (s["read"], s["added"]) == (5, 3)
    assert ws.con.execute("SELECT text FROM activities WHERE kind <> 'like' ORDER BY ts").fetchall() == [
        ("version corrigée",), ("Merci beaucoup",)]


def test_renamed_account_read_in_order_and_the_last_name_wins(ws: Any, paths: list[bool]) -> None:
    _import(ws, "order_renamed.csv", {})
    assert paths == [True]
    row = ws.rows("SELECT display_name, email FROM identities WHERE key = 'sam@x.org'")[0]
    assert (row["display_name"], row["email"]) == ("Samuel Roux", "sam@x.org")


def test_bad_record_named_as_before_and_workspace_unchanged(ws: Any, monkeypatch: pytest.MonkeyPatch,
                                                            paths: list[bool]) -> None:
    _import(ws, "order_clean.jsonl", {})
    before = snapshot(ws)
    errors = []
    for ordered in (False, True):
        with monkeypatch.context() as m:
            if ordered:
                m.setattr(_Tabular, "_needs_order", lambda self, has_ids: True)
            with pytest.raises(BadInput) as e:
                _import(ws, "bad_kind.csv", {})
        errors.append((str(e.value), e.value.info.__dict__))
        assert snapshot(ws) == before
    assert errors[0] == errors[1]
    assert errors[0][1]["record"] == "row 2 (line 3)" and errors[0][1]["found"] == "'shout'"
    assert paths[-1] is True  # the default path found the bad record and read the file again in order
