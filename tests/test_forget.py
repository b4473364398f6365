"""lien forget and lien export --person, end to end with the real importers
(fixtures in tests/data/identity, described in test_identity_rules.py).

Alice has four accounts: alice@example.org on the list (written "alice at example dot org")
and on the check-in sheet (one person by the e-mail rule), alice_m on the forum and her
Mastodon account (one person by the link her profile declares); a manual merge joins the two.
Her acts: 2 mails, 2 check-ins, 1 forum post, 2 Mastodon notes and 1 mention = 8.
Bob's reply quotes "Alice Martin"; Carole's mail gives "alice@example.org".
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import do_import
from lien import identity
from lien.identity.forget import export_person, forget
from test_identity_rules import (ALICE_CHECKIN, ALICE_FORUM, ALICE_MAIL, ALICE_MASTO, BOB_MAIL, D,  # noqa: F401
                                 _identity_hook_only, import_all)

SECRETS = ["alice@example.org", "alice at example", "alice martin", "alice_m", "social.example/users/alice",
           "social.example/@alice", "alice m.", "forum.example.org/u/alice_m",
           ALICE_MAIL, ALICE_CHECKIN, ALICE_FORUM, ALICE_MASTO]


def leaks(ws: Any, secrets: list[str]) -> list[tuple[str, str]]:
    """(table, secret) for every secret found in any column of any table."""
    found = []
    tables = [r[0] for r in ws.con.execute("""SELECT table_name FROM information_schema.tables
                                              WHERE table_schema = 'main' AND table_type = 'BASE TABLE'""").fetchall()]
    for t in tables:
        cols = [r[0] for r in ws.con.execute(f"DESCRIBE \"{t}\"").fetchall()]
        if not cols:
            continue
        blob = " || ' ' || ".join(f"coalesce(lower(CAST(\"{c}\" AS VARCHAR)), '')" for c in cols)
        for s in secrets:
            n = ws.con.execute(f"SELECT count(*) FROM \"{t}\" WHERE contains({blob}, ?)", [s.lower()]).fetchall()[0][0]
            if n:
                found.append((t, s))
    return found


def alice_one_person(ws: Any) -> None:
    import_all(ws)
    identity.merge(ws, ALICE_MAIL, ALICE_MASTO, reason="her profile says so")
    # a table another part of lien might add: found from the catalogue, not from a list
    ws.con.execute("CREATE TABLE side_scores (node VARCHAR, account VARCHAR, score DOUBLE)")
    ws.con.execute("INSERT INTO side_scores VALUES (?, NULL, 1), (NULL, ?, 2), (?, NULL, 3)",
                   [ALICE_MAIL, ALICE_FORUM, BOB_MAIL])


def test_forget_erases_everything_also_after_reimport(ws: Any) -> None:
    alice_one_person(ws)
    assert len(identity.identities_of(ws, "alice_m")["identities"]) == 4
    acts_before = ws.count("activities")
    assert acts_before == 18  # 4 mails + 6 check-ins + 5 forum rows + 3 Mastodon acts
    addressed = ws.con.execute("""SELECT count(*) FROM activities WHERE target_identity_id IN (?, ?, ?, ?)""",
                               [ALICE_MAIL, ALICE_CHECKIN, ALICE_FORUM, ALICE_MASTO]).fetchall()[0][0]
    assert leaks(ws, SECRETS)  # the check finds them before
    res = forget(ws, "alice martin")
    assert (res["person_id"], res["identities"], res["activities"]) == (ALICE_MAIL, 4, 8)
    assert ws.count("activities") == 10
    assert ws.count("identities") == 10 and ws.count("people") == 8
    assert ws.rows("SELECT * FROM side_scores") == [{"node": BOB_MAIL, "account": None, "score": 3.0}]
    assert leaks(ws, SECRETS) == []
    # the acts that answered her stay, addressed to nobody; their text no longer names her
    assert addressed > 0
    assert ws.con.execute("SELECT count(*) FROM activities WHERE target_identity_id IS NOT NULL AND "
                          "target_identity_id NOT IN (SELECT id FROM identities)").fetchall() == [(0,)]
    bob = ws.rows("SELECT text FROM activities WHERE identity_id = ?", [BOB_MAIL])[0]["text"]
    assert bob == "Je peux le faire mardi, merci [forgotten] pour le rappel."
    # only hashes are kept: 4 keys; her address, her forum and Mastodon profile URLs; 2 names
    # ("Alice Martin", "Alice M.")
    tomb = ws.rows("SELECT channel, key_hash FROM tombstones ORDER BY ALL")
    assert all(len(t["key_hash"]) == 64 for t in tomb)
    assert sorted(t["channel"] or "" for t in tomb) == sorted(
        ["", "", "", "(name:2)", "(name:2)", "checkin:checkin", "forum:jardin", "mail:jardin", "mastodon:social.example"])
    # the same files again: she does not come back, nor does her name in the others' texts
    do_import(ws, D / "list.mbox")
    s = do_import(ws, D / "checkin.csv")[0]
    assert s.skipped == 2
    s = do_import(ws, D / "forum.csv", format="csv", channel="forum:jardin")[0]
    assert s.skipped == 1
    s = do_import(ws, D / "mastodon")[0]
    assert s.skipped == 3
    assert ws.count("activities") == 10 and ws.count("identities") == 10
    assert leaks(ws, SECRETS) == []
    assert ws.rows("SELECT text FROM activities WHERE identity_id = ?", [BOB_MAIL])[0]["text"] == bob


def test_a_tombstoned_key_is_refused_on_any_channel(ws: Any, tmp_path: Path) -> None:
    alice_one_person(ws)
    forget(ws, ALICE_MAIL)
    f = tmp_path / "new.csv"
    f.write_text("id,kind,ts,actor,text\n1,post,2025-03-01,ALICE@example.org,Coucou\n"
                 "2,post,2025-03-02,zoe@example.org,Salut alice@example.org\n", encoding="utf-8")
    s = do_import(ws, f, format="csv", channel="elsewhere")[0]
    assert (s.added, s.skipped) == (1, 1)
    assert ws.rows("SELECT text FROM activities WHERE channel = 'elsewhere'") == [{"text": "Salut [forgotten]"}]


def test_forget_scores_of_the_model(ws: Any) -> None:
    """The weekly snapshots and ties other parts compute lose every row about her."""
    snapshots = pytest.importorskip("lien.metrics.snapshots")
    alice_one_person(ws)
    snapshots.score(ws)
    tables = [r[0] for r in ws.con.execute("""SELECT DISTINCT table_name FROM information_schema.columns
                                              WHERE column_name IN ('person_id', 'a', 'b', 'node')
                                              AND table_name NOT IN ('identities', 'links')""").fetchall()]
    assert "score_weeks" in tables
    assert ws.con.execute("SELECT count(*) FROM score_weeks WHERE person_id = ?", [ALICE_MAIL]).fetchall()[0][0] > 0
    forget(ws, ALICE_MAIL)
    assert leaks(ws, SECRETS) == []


def test_export_person(ws: Any, cli: Any, tmp_path: Path) -> None:
    alice_one_person(ws)
    data = export_person(ws, "alice_m")
    assert data["person"]["id"] == ALICE_MAIL
    assert sorted(i["channel"] for i in data["identities"]) == [
        "checkin:checkin", "forum:jardin", "mail:jardin", "mastodon:social.example"]
    assert len(data["activities"]) == 8
    assert sorted(a["kind"] for a in data["activities"]) == ["attend", "attend", "mention", "post", "post", "post",
                                                           "post", "reply"]
    assert [e["name"] for e in data["events"]] == ["Atelier semis", "Troc de graines"]
    assert {d["rule"] for d in data["decisions"]} == {"email", "declared", "manual"}
    assert data["derived"]["side_scores"] == [{"node": ALICE_MAIL, "account": None, "score": 1.0},
                                              {"node": None, "account": ALICE_FORUM, "score": 2.0}]
    path = str(ws.path)
    ws.close()
    out = tmp_path / "alice.json"
    code, stdout, err = cli("-w", path, "export", "--person", "alice@example.org", "--out", str(out), "--json")
    assert code == 0, err
    assert json.loads(stdout) == {"path": str(out), "person_id": ALICE_MAIL, "identities": 4, "activities": 8}
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["identities"][0]["native"] is None or isinstance(doc["identities"][0]["native"], dict)
    assert any(a["text"] == "Les semis ont levé !" for a in doc["activities"])


def test_cli_forget(ws: Any, cli: Any) -> None:
    alice_one_person(ws)
    path = str(ws.path)
    ws.close()
    code, out, err = cli("-w", path, "forget", "alice@example.org", "--yes", "--json")
    assert code == 0, err
    assert json.loads(out)["activities"] == 8
    code, out, err = cli("-w", path, "forget", "alice@example.org", "--yes")
    assert code == 2 and "no identity or person" in err
