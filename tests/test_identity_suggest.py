"""lien identities suggest: Splink on the identity fixtures (see test_identity_rules.py).

Known duplicates the rules cannot see, read from the files:
- Dan Roux: "Dan Roux" on the check-in sheet (no e-mail) and dan.roux on the forum;
- Carole Petit: carole@example.net (list), carole.petit@example.com (sheet), caro_petit (forum):
  three people for the rules, three pairs;
- Alice: her list/sheet person and her forum/Mastodon person ("Alice Martin", handle alice);
- Bob: bob@example.org and the Mastodon account @bob@other.example her note mentions (same
  handle: a suggestion for a person to confirm or reject).
Eve is alone.
"""
from __future__ import annotations

import json
import sys
from typing import Any

import pytest

pytest.importorskip("splink")

from lien import identity  # noqa: E402
from lien.errors import MissingExtra  # noqa: E402
from lien.identity.suggest import suggest  # noqa: E402
from test_identity_rules import (ALICE_MAIL, ALICE_MASTO, BOB_MAIL, CAROLE_FORUM, CAROLE_MAIL,  # noqa: E402,F401
                                 _identity_hook_only, import_all)

CAROLE_SHEET = "checkin:checkin/carole.petit@example.com"
EXPECTED = {
    frozenset({"checkin:checkin/dan roux", "forum:jardin/dan.roux"}),
    frozenset({CAROLE_SHEET, "forum:jardin/caro_petit"}),
    frozenset({CAROLE_SHEET, "mail:jardin/carole@example.net"}),
    frozenset({"mail:jardin/carole@example.net", "forum:jardin/caro_petit"}),
    frozenset({"checkin:checkin/alice@example.org", "mastodon:social.example/https://social.example/users/alice"}),
    frozenset({"checkin:checkin/bob@example.org", "mastodon:other.example/https://other.example/users/bob"}),
}


def pairs(rows: list[dict[str, Any]]) -> set[frozenset[str]]:
    return {frozenset({f"{r['a_channel']}/{r['a_key']}", f"{r['b_channel']}/{r['b_key']}"}) for r in rows}


def test_suggestions_on_known_duplicates(ws: Any) -> None:
    import_all(ws)
    rows = suggest(ws, threshold=0.9)
    assert pairs(rows) == EXPECTED
    by = {frozenset({r["a_key"], r["b_key"]}): r for r in rows}
    dan = by[frozenset({"dan roux", "dan.roux"})]
    assert dan["reasons"] == ["same name", "same handle"]
    sheet = by[frozenset({"carole.petit@example.com", "carole@example.net"})]
    assert sheet["reasons"] == ["same name"]  # her sheet handle is her name again: it adds nothing
    bob = by[frozenset({"bob@example.org", "https://other.example/users/bob"})]
    assert bob["reasons"] == ["same handle", "name matches the other's handle"] and bob["match_weight"] < dan["match_weight"]
    assert dan["score"] > 0.99
    carole = by[frozenset({"carole@example.net", "caro_petit"})]
    assert carole["reasons"] == ["same name"] and 0.9 < carole["score"] < 0.99
    assert 0.9 < sheet["score"] < 0.99
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    assert {id(r) for r in rows[-2:]} == {id(carole), id(sheet)}  # a shared name alone is the weakest
    assert all(r["a_person"] != r["b_person"] for r in rows)
    # nobody with only a first name in common is suggested
    assert not any("eve" in (r["a_key"], r["b_key"]) for r in rows)
    assert len(suggest(ws, threshold=0.9, limit=2)) == 2


def test_decisions_shape_suggestions(ws: Any) -> None:
    import_all(ws)
    identity.reject(ws, BOB_MAIL, "https://other.example/users/bob", reason="another Bob")
    identity.merge(ws, CAROLE_MAIL, CAROLE_FORUM)
    rows = suggest(ws, threshold=0.9)
    got = pairs(rows)
    assert frozenset({"checkin:checkin/bob@example.org",
                      "mastodon:other.example/https://other.example/users/bob"}) not in got
    # Carole's list and forum accounts are one person now: one pair of people is left for her
    carole = [r for r in rows if "Carole Petit" in (r["a_name"], r["b_name"])]
    assert len(carole) == 1 and {carole[0]["a_key"], carole[0]["b_key"]} & {"carole.petit@example.com"}
    assert len(rows) == 3  # Dan, Carole, Alice
    # a rejected suggestion never comes back, also after a re-import
    import_all(ws)
    assert pairs(suggest(ws, threshold=0.9)) == got
    # accepting one is a merge
    identity.merge(ws, rows[0]["a_id"], rows[0]["b_id"], reason="suggested")
    assert len(suggest(ws, threshold=0.9)) == 2


def test_cli_suggest(ws: Any, cli: Any) -> None:
    import_all(ws)
    path = str(ws.path)
    ws.close()
    code, out, err = cli("-w", path, "identities", "suggest", "--threshold", "0.9", "--json")
    assert code == 0, err
    assert pairs(json.loads(out)["suggestions"]) == EXPECTED
    code, out, err = cli("-w", path, "identities", "suggest", "--threshold", "0.9")
    flat = "".join(out.split())
    assert code == 0 and "forum:jardin/dan.roux" in flat and "samehandle" in flat and "identities merge" in err


def test_without_splink_the_error_names_the_extra(ws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "splink", None)
    with pytest.raises(MissingExtra, match=r"lien\[identity\]"):
        suggest(ws)
