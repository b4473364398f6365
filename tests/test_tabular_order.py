"""What the generic importers' record order decides (the stage's seq, from row_number() OVER ()):
the last of two records with one id wins, an account's last name and e-mail win, a bad record is
named by its number; and what it must not change: a re-import adds nothing. Pinned so that a
faster stage (read in parallel, or straight into activities) can be checked against it."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from lien.errors import BadInput
from lien.sources.base import ImportOptions
from lien.sources.load import run_import
from conftest import DATA, snapshot

T = DATA / "tabular"
NOW = datetime(2026, 1, 2, 3, 4, 5)


def _import(ws: Any, name: str, **opts: Any) -> dict[str, Any]:
    [s] = run_import(ws, [str(T / name)], ImportOptions(**opts), now=NOW)
    d = s.to_dict()
    d.pop("seconds")
    return d


def test_clean_file_every_field(ws: Any) -> None:
    s = _import(ws, "order_clean.jsonl")
    assert (s["read"], s["added"], s["identities_added"], s["events_added"]) == (6, 6, 4, 1)
    assert s["by_kind"]["reply"] == {"added": 1, "updated": 0, "unchanged": 0}
    # spaces around values trimmed, keys normalised, the act without an actor anonymous
    assert ws.scalar("SELECT count(DISTINCT identity_id) FROM activities WHERE channel = 'forum'") == 2
    assert ws.scalar("SELECT count(*) FROM activities WHERE identity_id IS NULL") == 1
    assert ws.scalar("SELECT text FROM activities WHERE kind = 'reply'") == "J'y serai"
    assert ws.scalar("SELECT text FROM activities WHERE kind = 'post'") == "Atelier vélo samedi & dimanche"
    assert ws.scalar("SELECT display_name FROM identities WHERE key = 'ana@asso.fr' AND channel = 'forum'") == "Ana Lima"
    assert ws.scalar("SELECT key FROM identities WHERE channel = 'meetups'") == "https://piaille.example/@cam"
    assert ws.scalar("SELECT CAST(native AS VARCHAR) FROM activities WHERE kind = 'message'") == '{"room":"b"}'
    again = _import(ws, "order_clean.jsonl")
    assert (again["added"], again["updated"], again["unchanged"], again["identities_added"]) == (0, 0, 6, 0)


def test_duplicate_ids_the_last_record_wins(ws: Any) -> None:
    s = _import(ws, "order_dups.csv")
    assert (s["read"], s["added"]) == (5, 3)
    assert ws.con.execute("SELECT text FROM activities WHERE kind <> 'like' ORDER BY ts").fetchall() == [
        ("version corrigée",), ("Merci beaucoup",)]
    before = snapshot(ws)
    again = _import(ws, "order_dups.csv")
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, 3)
    assert {k: v for k, v in snapshot(ws).items() if k != "sources"} == {k: v for k, v in before.items() if k != "sources"}


def test_renamed_account_the_last_name_wins(ws: Any) -> None:
    _import(ws, "order_renamed.csv")
    row = ws.rows("SELECT display_name, email FROM identities WHERE key = 'sam@x.org'")[0]
    assert (row["display_name"], row["email"]) == ("Samuel Roux", "sam@x.org")


def test_bad_record_named_by_its_number_and_workspace_unchanged(ws: Any) -> None:
    _import(ws, "order_clean.jsonl")
    before = snapshot(ws)
    with pytest.raises(BadInput) as e:
        _import(ws, "bad_kind.csv")
    assert str(e.value) == (f"{T / 'bad_kind.csv'}, row 2 (line 3): expected a kind among "
                            f"{e.value.info.expected.split('among ', 1)[1]}, found 'shout'")
    assert (e.value.info.record, e.value.info.found) == ("row 2 (line 3)", "'shout'")
    assert snapshot(ws) == before


def test_fields_of_mixed_types(ws: Any) -> None:
    """A JSON Lines field holding numbers on some lines and strings on others (DuckDB reads it
    as JSON) gives the strings without their quotes: Unix and ISO times side by side, an id 1
    that a reply points to, a number as text."""
    s = _import(ws, "mixed_types.jsonl")
    assert (s["read"], s["added"]) == (3, 3)
    rows = ws.rows("SELECT ts, text FROM activities ORDER BY ts")
    assert [(r["ts"], r["text"]) for r in rows] == [
        (datetime(2025, 3, 1, 0, 0), "À samedi"), (datetime(2025, 3, 1, 9, 0), "Merci !"),
        (datetime(2025, 3, 1, 10, 0), "42")]
    # the reply's in_reply_to "1" is the act whose id was the number 1
    assert ws.scalar("""SELECT p.text FROM activities r JOIN activities p ON p.id = r.in_reply_to
                        WHERE r.kind = 'reply'""") == "Merci !"
    assert _import(ws, "mixed_types.jsonl")["added"] == 0
