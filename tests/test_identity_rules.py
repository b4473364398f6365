"""Deterministic merges at import and human decisions (merge, split, reject, undo), kept
across re-imports. Fixtures in tests/data/identity, read by the real importers:

- list.mbox (channel mail:jardin): alice (written "alice at example dot org"), bob, carole@example.net
- checkin.csv (checkin:checkin): ALICE@example.org, bob@example.org, Dan Roux (no e-mail: keyed
  by name), carole.petit@example.com
- forum.csv (forum:jardin, generic CSV): alice_m, bob_l (bob@example.org), caro_petit, dan.roux, eve
- mastodon/ (mastodon:social.example): Alice's account, whose profile field links to
  https://forum.example.org/u/alice_m; it mentions https://other.example/users/bob
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import DATA, do_import
from lien import identity
from lien.errors import UsageError
from lien.text import identity_id

D = DATA / "identity"
MAIL, CHECKIN, FORUM, MASTO = "mail:jardin", "checkin:checkin", "forum:jardin", "mastodon:social.example"
ALICE_MAIL = identity_id(MAIL, "alice@example.org")
ALICE_CHECKIN = identity_id(CHECKIN, "alice@example.org")
ALICE_FORUM = identity_id(FORUM, "alice_m")
ALICE_MASTO = identity_id(MASTO, "https://social.example/users/alice")
BOB_MAIL = identity_id(MAIL, "bob@example.org")
BOB_CHECKIN = identity_id(CHECKIN, "bob@example.org")
BOB_FORUM = identity_id(FORUM, "bob_l")
CAROLE_MAIL = identity_id(MAIL, "carole@example.net")
CAROLE_FORUM = identity_id(FORUM, "caro_petit")


@pytest.fixture(autouse=True)
def _identity_hook_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scoring after each import is another part's business and costs seconds: leave it out."""
    from lien.identity.resolve import after_import
    from lien.sources import load

    monkeypatch.setattr(load, "AFTER_IMPORT", [h for h in load.AFTER_IMPORT if h is after_import])


def import_all(ws: Any) -> None:
    do_import(ws, D / "list.mbox")
    do_import(ws, D / "checkin.csv")
    do_import(ws, D / "forum.csv", format="csv", channel=FORUM)
    do_import(ws, D / "mastodon")


def person(ws: Any, ident: str) -> str:
    return ws.con.execute("SELECT person_id FROM identities WHERE id = ?", [ident]).fetchall()[0][0]


def groups(ws: Any) -> set[frozenset[str]]:
    """Every person with two identities or more, as sets of channel/key."""
    rows = ws.con.execute("""SELECT list(channel || '/' || key ORDER BY channel) FROM identities
                             GROUP BY person_id HAVING count(*) > 1""").fetchall()
    return {frozenset(r[0]) for r in rows}


def state(ws: Any) -> list[tuple[Any, ...]]:
    return ws.con.execute("SELECT id, person_id FROM identities ORDER BY id").fetchall()


EXPECTED = {
    frozenset({"checkin:checkin/alice@example.org", "mail:jardin/alice@example.org"}),
    frozenset({"checkin:checkin/bob@example.org", "forum:jardin/bob_l", "mail:jardin/bob@example.org"}),
    frozenset({"forum:jardin/alice_m", "mastodon:social.example/https://social.example/users/alice"}),
}


def test_rules_merge_at_import(ws: Any) -> None:
    import_all(ws)
    assert ws.count("identities") == 14  # 3 mail + 4 check-in + 5 forum + 2 mastodon
    assert groups(ws) == EXPECTED
    assert ws.count("people") == 10  # 14 identities, 4 absorbed
    # the oldest person id is kept: the mailing list was imported first
    assert person(ws, BOB_CHECKIN) == person(ws, BOB_FORUM) == BOB_MAIL
    assert person(ws, ALICE_CHECKIN) == ALICE_MAIL
    assert person(ws, ALICE_MASTO) == ALICE_FORUM  # the forum came before the Mastodon archive
    # absorbed people rows are gone; every identity points at an existing person
    assert ws.con.execute("SELECT count(*) FROM identities WHERE person_id NOT IN (SELECT id FROM people)").fetchall() == [(0,)]
    links = ws.rows("SELECT action, identity_id, rule, reason, decided_by FROM links ORDER BY id")
    assert sorted((r["action"], r["identity_id"], r["rule"], r["decided_by"], r["reason"]) for r in links) == sorted([
        ("merge", ALICE_CHECKIN, "email", "lien", "same e-mail address alice@example.org"),
        ("merge", BOB_CHECKIN, "email", "lien", "same e-mail address bob@example.org"),
        ("merge", BOB_FORUM, "email", "lien", "same e-mail address bob@example.org"),
        ("merge", ALICE_MASTO, "declared", "lien", "an account declares forum.example.org/u/alice_m")])
    # Carole (three addresses/handles) and Dan (a name, a handle) are for suggestions, not rules
    assert len({person(ws, CAROLE_MAIL), person(ws, CAROLE_FORUM)}) == 2


def test_reimport_changes_nothing(ws: Any) -> None:
    import_all(ws)
    before, nlinks = state(ws), ws.count("links")
    import_all(ws)
    assert state(ws) == before
    assert ws.count("links") == nlinks


def test_same_value_on_one_channel_is_not_a_person(ws: Any, tmp_path: Path) -> None:
    """An address two accounts of one channel share (a family, an office) merges nobody;
    a no-reply address neither; a bare site root is a website, not a profile."""
    f = tmp_path / "shared.csv"
    f.write_text("id,kind,ts,actor,actor_email,actor_url\n"
                 "1,post,2025-01-01,ann,home@example.org,https://example.org/\n"
                 "2,post,2025-01-02,ben,home@example.org,https://example.org\n"
                 "3,post,2025-01-03,cat,noreply@example.org,\n", encoding="utf-8")
    g = tmp_path / "other.csv"
    g.write_text("id,kind,ts,actor,actor_email,actor_url\n"
                 "1,post,2025-01-01,ann2,home@example.org,https://example.org\n"
                 "2,post,2025-01-02,cat2,noreply@example.org,\n", encoding="utf-8")
    do_import(ws, f, format="csv", channel="a")
    do_import(ws, g, format="csv", channel="b")
    assert groups(ws) == set()
    assert ws.count("links") == 0


def test_split_is_kept_across_reimports_and_undone(ws: Any, cli: Any) -> None:
    import_all(ws)
    d = identity.split(ws, BOB_FORUM, reason="a namesake")
    assert d["action"] == "split" and d["reason"] == "a namesake" and d["previous_person_id"] == BOB_MAIL
    new = person(ws, BOB_FORUM)
    assert new == d["person_id"] and new not in (BOB_MAIL, BOB_FORUM)
    assert person(ws, BOB_CHECKIN) == BOB_MAIL  # the rest stays together under its id
    assert ws.rows("SELECT display_name FROM people WHERE id = ?", [new]) == [{"display_name": "Bob L"}]
    after = state(ws)
    import_all(ws)  # the e-mail rule would merge them again: the decision wins
    assert state(ws) == after
    assert frozenset({"forum:jardin/bob_l"}) not in groups(ws)
    identity.undo(ws)
    assert person(ws, BOB_FORUM) == BOB_MAIL
    assert ws.count("people") == 10
    assert ws.rows("SELECT undone_at IS NOT NULL AS undone FROM links WHERE id = ?", [d["id"]]) == [{"undone": True}]


def test_manual_merge_kept_and_undone(ws: Any) -> None:
    import_all(ws)
    d = identity.merge(ws, f"{MAIL}/carole@example.net", "caro_petit", reason="same person, she told us")
    assert (d["identity_id"], d["other_identity_id"], d["rule"]) == (CAROLE_MAIL, CAROLE_FORUM, "manual")
    assert person(ws, CAROLE_FORUM) == person(ws, CAROLE_MAIL) == CAROLE_MAIL  # mail is older
    assert ws.count("people") == 9
    import_all(ws)
    assert person(ws, CAROLE_FORUM) == CAROLE_MAIL
    with pytest.raises(UsageError, match="already one person"):
        identity.merge(ws, CAROLE_MAIL, CAROLE_FORUM)
    u = identity.undo(ws, reason="wrong")
    assert u["action"] == "undo" and u["rule"] == f"undo #{d['id']}"
    assert person(ws, CAROLE_FORUM) == CAROLE_FORUM  # back to its own person id
    assert ws.count("people") == 10
    identity.undo(ws, u["id"])  # undoing the undo restores the merge
    assert person(ws, CAROLE_FORUM) == CAROLE_MAIL


def test_undoing_a_rule_merge_keeps_them_apart(ws: Any) -> None:
    import_all(ws)
    lid = ws.rows("SELECT id FROM links WHERE rule = 'declared'")[0]["id"]
    identity.undo(ws, lid, reason="not her forum account")
    assert person(ws, ALICE_MASTO) != person(ws, ALICE_FORUM)
    import_all(ws)
    assert person(ws, ALICE_MASTO) != person(ws, ALICE_FORUM)
    assert ws.count("people") == 11


def test_reject_wins_over_rules(ws: Any) -> None:
    import_all(ws)
    identity.split(ws, ALICE_CHECKIN)
    r = identity.reject(ws, ALICE_CHECKIN, ALICE_MAIL, reason="two Alices")
    assert r["action"] == "reject"
    with pytest.raises(UsageError, match="one person now"):
        identity.reject(ws, BOB_MAIL, BOB_FORUM)
    identity.undo(ws, ws.rows("SELECT id FROM links WHERE action = 'split'")[0]["id"])
    # the split is undone, but the rejected pair stays apart, also after a re-import
    assert person(ws, ALICE_CHECKIN) != person(ws, ALICE_MAIL)
    import_all(ws)
    assert person(ws, ALICE_CHECKIN) != person(ws, ALICE_MAIL)
    # a manual merge later supersedes the rejection
    identity.merge(ws, ALICE_MAIL, ALICE_CHECKIN)
    assert person(ws, ALICE_CHECKIN) == ALICE_MAIL
    assert ws.rows("SELECT undone_at IS NOT NULL AS u FROM links WHERE id = ?", [r["id"]]) == [{"u": True}]


def test_reject_between_rule_group_members(ws: Any) -> None:
    """Three accounts share an address; two of them are rejected as a pair: the third
    joins one of them, never both."""
    import_all(ws)
    identity.split(ws, BOB_CHECKIN)
    identity.reject(ws, BOB_CHECKIN, BOB_MAIL)
    identity.undo(ws, ws.rows("SELECT id FROM links WHERE action = 'split'")[0]["id"])
    assert person(ws, BOB_CHECKIN) != person(ws, BOB_MAIL)
    assert person(ws, BOB_FORUM) in (person(ws, BOB_CHECKIN), person(ws, BOB_MAIL))


def test_lookup_and_timeline(ws: Any) -> None:
    import_all(ws)
    data = identity.identities_of(ws, "bob@example.org")
    assert data["person"]["id"] == BOB_MAIL
    assert [(r["channel"], r["acts"]) for r in data["identities"]] == [(CHECKIN, 1), (FORUM, 1), (MAIL, 1)]
    assert [d["rule"] for d in data["decisions"]] == ["email", "email"]
    tl = identity.timeline(ws, BOB_MAIL)
    assert [(a["channel"], a["kind"]) for a in tl["acts"]] == [(CHECKIN, "attend"), (FORUM, "reply"), (MAIL, "reply")]
    with pytest.raises(UsageError):
        identity.find(ws, "nobody@example.org")


def test_cli_decisions(ws: Any, cli: Any) -> None:
    import_all(ws)
    path = str(ws.path)
    ws.close()
    code, out, err = cli("-w", path, "identities", "merge", CAROLE_MAIL, CAROLE_FORUM, "--reason", "asked", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert (d["action"], d["reason"], d["person_id"]) == ("merge", "asked", CAROLE_MAIL)
    code, out, _ = cli("-w", path, "identities", "list", "caro_petit", "--json")
    assert code == 0 and [i["key"] for i in json.loads(out)["identities"]] == ["caro_petit", "carole@example.net"]
    code, out, _ = cli("-w", path, "identities", "timeline", "caro_petit", "--json")
    assert [(a["channel"], a["account"]) for a in json.loads(out)["acts"]] == [
        (FORUM, "caro_petit"), (MAIL, "carole@example.net")]  # 11 and 7 January, newest first
    code, out, _ = cli("-w", path, "identities", "split", "caro_petit")
    assert code == 0 and "caro_petit" in out
    code, out, _ = cli("-w", path, "identities", "log", "--json")
    assert [x["action"] for x in json.loads(out)["decisions"]] == ["split", "merge"]
    code, out, _ = cli("-w", path, "identities", "undo")
    assert code == 0 and "undone" in out
    code, out, err = cli("-w", path, "identities", "split", "eve")
    assert code == 2 and "only identity" in err
    code, out, _ = cli("-w", path, "--lang", "fr", "identities", "reject", "dan.roux", "dan roux")
    assert code == 0 and "plus jamais" in out
