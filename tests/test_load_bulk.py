"""The loader's bulk paths: an importer's table taken over as the stage, the identity ids the
stage carries, the background file scan, the HTML function after a rolled-back import."""
from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

import pytest

from conftest import do_import, snapshot
from lien.errors import BadInput
from lien.sources import REGISTRY
from lien.sources.base import Activity, Batch, Identity, Source
from lien.sources.load import TABLE, FileScan, identity_id_sql, stage_text_sql
from lien.text import identity_id

T = Path(__file__).parent / "data" / "tabular"


class _TwoBatches(Source):
    """Rows first, then a table of its own (the loader appends it: acts are staged already)."""

    name = "testbulk"
    label = "test: rows then a table"

    def read(self) -> Iterator[Batch]:
        yield Batch(activities=[
            Activity(id="a1", channel="c", kind="post", ts=datetime(2024, 1, 1), actor="Alice@X.org"),
            Activity(id="a2", channel="c", kind="comment", ts=datetime(2024, 1, 2), actor="bob", target="alice@x.org",
                     text="first"),
        ])
        self.con.execute(f"""
            CREATE OR REPLACE TEMP TABLE _testbulk AS
            SELECT id, 'c' AS channel, kind, ts, actor, NULL::VARCHAR AS actor_channel, NULL::VARCHAR AS thread_id,
                   NULL::VARCHAR AS in_reply_to, NULL::VARCHAR AS target, NULL::VARCHAR AS target_channel,
                   NULL::VARCHAR AS url, NULL::VARCHAR AS title, {stage_text_sql(self.con, 'text')} AS text,
                   NULL::VARCHAR AS lang, NULL::VARCHAR AS native,
                   {identity_id_sql("'c'", 'actor', trimmed=True)} AS identity_id,
                   NULL::VARCHAR AS target_identity_id, seq
            FROM (VALUES ('a2', 'comment', TIMESTAMP '2024-01-02', 'bob', '<p>second &amp; last</p>', 1),
                         ('a3', 'like', TIMESTAMP '2024-01-03', 'https://Carol.example/', NULL, 2))
                 AS v(id, kind, ts, actor, text, seq)""")
        yield Batch(sql={"activities": TABLE + "_testbulk"})


@pytest.fixture
def testbulk() -> Iterator[None]:
    REGISTRY.append(_TwoBatches)
    try:
        yield
    finally:
        REGISTRY.remove(_TwoBatches)


def _acts(ws: Any) -> list[tuple[Any, ...]]:
    return ws.con.execute("SELECT id, kind, identity_id, target_identity_id, text FROM activities ORDER BY id").fetchall()


def test_table_appended_after_rows(ws: Any, tmp_path: Path, testbulk: None) -> None:
    f = tmp_path / "in.txt"
    f.write_text("x\n")
    [s] = do_import(ws, f, format="testbulk")
    # a2 twice: the table's, staged last, wins
    assert (s.read, s.added, s.updated, s.unchanged, s.identities_added) == (4, 3, 0, 0, 3)
    assert s.by_kind == {"comment": {"added": 1, "updated": 0, "unchanged": 0},
                         "like": {"added": 1, "updated": 0, "unchanged": 0},
                         "post": {"added": 1, "updated": 0, "unchanged": 0}}
    alice, bob, carol = (identity_id("c", k) for k in ("alice@x.org", "bob", "https://carol.example"))
    assert _acts(ws) == [("a1", "post", alice, None, None), ("a2", "comment", bob, None, "second & last"),
                         ("a3", "like", carol, None, None)]
    keys = ws.con.execute("SELECT id, key FROM identities ORDER BY key").fetchall()
    assert keys == sorted([(alice, "alice@x.org"), (bob, "bob"), (carol, "https://carol.example")], key=lambda r: r[1])
    [s2] = do_import(ws, f, format="testbulk")
    assert (s2.added, s2.updated, s2.unchanged, s2.identities_added) == (0, 0, 3, 0)


def test_csv_identity_ids_match_python(ws: Any) -> None:
    do_import(ws, T / "acts.csv")
    rows = ws.con.execute("SELECT i.id, i.channel, i.key FROM identities i").fetchall()
    assert rows and all(i == identity_id(ch, k) for i, ch, k in rows)
    acts = ws.con.execute("SELECT count(*) FROM activities WHERE identity_id NOT IN (SELECT id FROM identities)")
    assert acts.fetchone()[0] == 0


def test_html_function_after_a_rolled_back_import(ws: Any, tmp_path: Path) -> None:
    before = snapshot(ws)
    with pytest.raises(BadInput):
        do_import(ws, T / "bad_kind.csv")
    assert snapshot(ws) == before
    f = tmp_path / "html.csv"
    f.write_text("id,kind,ts,actor,text\n1,post,2024-01-01T10:00:00Z,ana,<b>Bonjour</b> &amp; merci\n", encoding="utf-8")
    [s] = do_import(ws, f)
    assert s.added == 1
    assert ws.con.execute("SELECT text FROM activities").fetchall() == [("Bonjour & merci",)]


@pytest.mark.parametrize("content, lines", [
    (b"", 0), (b"a", 1), (b"a\n", 1), (b"a\nb", 2), (b"a\n\n  \n", 3), (b"a\n  ", 1), (b"\n" * 5, 5),
])
def test_file_scan(tmp_path: Path, content: bytes, lines: int) -> None:
    f = tmp_path / "f"
    f.write_bytes(content)
    scan = FileScan(f)
    assert (scan.lines, scan.sha256) == (lines, hashlib.sha256(content).hexdigest())


def test_file_scan_across_chunks(tmp_path: Path) -> None:
    f = tmp_path / "big"
    body = b"x" * ((1 << 24) - 1) + b"\n" + b"y" * (1 << 24) + b"tail"  # a line spans two chunks
    f.write_bytes(body)
    assert FileScan(f).lines == 2


def test_python_batches_are_not_kept_until_the_commit(ws: Any) -> None:
    """Each batch an importer yields is freed once staged, also inside the import's transaction
    (a view registered with con.register and unregistered again lived on until the commit: the
    memory of every batch of the input stayed held)."""
    import pyarrow as pa

    from lien.sources.load import _create_stage, _stage

    def chunk(i: int) -> pa.Table:
        n = 5000
        return pa.table({
            "id": [f"a{i}-{j}" for j in range(n)], "channel": ["c"] * n, "kind": ["comment"] * n,
            "ts": pa.array([datetime(2024, 1, 1)] * n, pa.timestamp("us")),
            "actor": [f"p{j % 50}" for j in range(n)], "text": ["x" * 200] * n,
        })

    class Done(Exception):
        pass

    with pytest.raises(Done), ws.transaction():
        _create_stage(ws.con)
        before = pa.total_allocated_bytes()
        staged = sum(_stage(ws.con, Batch(activities=chunk(i))) for i in range(12))
        held = pa.total_allocated_bytes() - before
        rows = ws.con.execute("SELECT count(*), count(DISTINCT id), max(seq), count(identity_id), "
                              "count(DISTINCT identity_id) FROM _stage_activities").fetchone()
        # identities go the same way, from a list of records
        _stage(ws.con, Batch(identities=[Identity(channel="c", key="p1", display_name="P")]))
        ids = ws.con.execute("SELECT channel, key, display_name, seq FROM _stage_identities").fetchall()
        raise Done  # the transaction rolls back
    assert staged == 60000 and rows == (60000, 60000, 60000, 60000, 50)
    assert ids == [("c", "p1", "P", 60001)]
    assert held < 2 * 2**20, held  # at most one batch's worth, not the 12 MB of all of them


class _Untrimmed(Source):
    """Keys only acts refer to, with surrounding spaces and capitals: no identity is declared."""

    name = "testuntrimmed"
    label = "test: untrimmed keys"

    def read(self) -> Iterator[Batch]:
        yield Batch(activities=[
            Activity(id="u1", channel="c", kind="comment", ts=datetime(2024, 1, 1), actor="  Dana@X.org ",
                     target="\u00a0Eve\u3000"),
            Activity(id="u2", channel="c", kind="like", ts=datetime(2024, 1, 2), actor=" ", target="   "),
        ])


def test_referenced_identities_trimmed(ws: Any, tmp_path: Path) -> None:
    """An identity known only from the acts that name it: its key normalised, its display name the
    key as written without the surrounding (Unicode) spaces; a blank key is no identity."""
    REGISTRY.append(_Untrimmed)
    try:
        f = tmp_path / "in.txt"
        f.write_text("x\n")
        [s] = do_import(ws, f, format="testuntrimmed")
    finally:
        REGISTRY.remove(_Untrimmed)
    assert (s.added, s.identities_added) == (2, 2)
    dana, eve = identity_id("c", "dana@x.org"), identity_id("c", "eve")
    assert ws.con.execute("SELECT id, key, display_name FROM identities ORDER BY key").fetchall() == [
        (dana, "dana@x.org", "Dana@X.org"), (eve, "eve", "Eve")]
    assert _acts(ws) == [("u1", "comment", dana, eve, None), ("u2", "like", None, None, None)]
