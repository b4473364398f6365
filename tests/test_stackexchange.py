"""Stack Exchange data dump importer: a hand-written dump and the real conlang dump."""
from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import datetime

import pytest

from conftest import DATA, do_import, snapshot
from lien.errors import BadInput, UnsafeInput

SE = DATA / "stackexchange"
SITE = SE / "cooking.example.org"


def acts(ws, kind):
    return ws.rows(f"""
        SELECT a.*, i.key AS actor, t.key AS target FROM activities a
        LEFT JOIN identities i ON i.id = a.identity_id LEFT JOIN identities t ON t.id = a.target_identity_id
        WHERE a.kind = '{kind}' ORDER BY a.ts, a.id""")


def test_small_dump(ws):
    [s] = do_import(ws, SITE)
    assert s.format == "stackexchange"
    assert (s.read, s.added, s.identities_added) == (16, 12, 6)
    assert {k: v["added"] for k, v in s.by_kind.items()} == {"post": 2, "reply": 2, "comment": 3, "like": 5}
    assert s.warnings == ["Posts.xml: 1 tag wiki and other non-Q&A posts skipped",
                          "Votes.xml: 1 downvotes and 1 moderation votes are not acts (kept in each post's score)"]
    assert {r["channel"] for r in ws.rows("SELECT DISTINCT channel FROM activities")} == {"stackexchange:cooking.example.org"}

    posts = acts(ws, "post")
    assert [(p["actor"], p["title"], p["text"]) for p in posts] == [
        ("10", "Resting dough", "How long should I rest bread dough?"), ("11", "Salt", "Salt or no salt?")]
    assert posts[0]["url"] == "https://cooking.example.org/q/1"
    assert posts[0]["ts"] == datetime(2021, 3, 1, 10, 0)
    q = posts[0]
    import json
    assert json.loads(q["native"])["tags"] == ["bread", "dough"]
    assert json.loads(posts[1]["native"])["tags"] == ["salt"]

    replies = acts(ws, "reply")
    assert [(r["actor"], r["target"], r["text"]) for r in replies] == [
        ("user7", "10", "An hour & no more."), ("11", "10", "Until it doubles.")]
    assert all(r["in_reply_to"] == q["id"] and r["thread_id"] == q["id"] for r in replies)
    assert [json.loads(r["native"])["accepted"] for r in replies] == [False, True]

    comments = acts(ws, "comment")
    assert [(c["actor"], c["target"], c["text"]) for c in comments] == [
        ("11", "10", "Which flour?"), ("10", "11", "Thanks, that & patience."), ("user8", "user7", "Source?")]
    assert comments[1]["in_reply_to"] == replies[1]["id"] and comments[1]["thread_id"] == q["id"]

    likes = acts(ws, "like")
    assert sorted((json.loads(x["native"])["vote"], x["actor"], x["target"]) for x in likes) == [
        ("accepted", "10", "11"), ("bounty", "10", "11"), ("favorite", "11", "10"), ("up", None, "10"), ("up", None, "11")]

    ids = {r["key"]: r for r in ws.rows("SELECT * FROM identities")}
    assert set(ids) == {"-1", "10", "11", "12", "user7", "user8"}
    assert ids["10"]["display_name"] == "Léa Martin" and ids["10"]["url"] == "https://cooking.example.org/users/10"
    assert json.loads(ids["10"]["native"])["website"] == "https://mastodon.social/@lea"
    assert json.loads(ids["11"]["native"])["website"] is None
    assert ids["-1"]["is_bot"] and not ids["10"]["is_bot"]


def test_reimport_adds_nothing(ws):
    do_import(ws, SITE)
    before = snapshot(ws)
    [s] = do_import(ws, SITE)
    assert (s.added, s.updated, s.unchanged) == (0, 0, 12)
    after = snapshot(ws)
    assert {k: v for k, v in after.items() if k != "sources"} == {k: v for k, v in before.items() if k != "sources"}


def test_posts_file_is_enough_to_name_the_dump(ws):
    [s] = do_import(ws, SITE / "Posts.xml")
    assert s.format == "stackexchange" and s.added == 12


def test_truncated_posts_leave_workspace_unchanged(ws):
    do_import(ws, SITE)
    before = snapshot(ws)
    with pytest.raises(BadInput) as e:
        do_import(ws, SE / "truncated")
    assert e.value.info.file.endswith("truncated/Posts.xml")
    assert e.value.info.record.startswith("line 6")
    assert snapshot(ws) == before


def test_bad_date_names_the_row(ws):
    with pytest.raises(BadInput) as e:
        do_import(ws, SE / "baddate")
    assert e.value.info.record == "row 3 (Id=3)" and e.value.info.file.endswith("baddate/Posts.xml")
    assert ws.count("activities") == 0
    [s] = do_import(ws, SE / "baddate", skip_bad=True)
    assert [b.record for b in s.bad] == ["row 3 (Id=3)"]
    assert s.by_kind["reply"]["added"] == 1


def test_entities_refused(ws):
    with pytest.raises(UnsafeInput):
        do_import(ws, SE / "entities")


def test_missing_files_warn(ws, tmp_path):
    d = tmp_path / "tiny.example.org"
    d.mkdir()
    shutil.copy(SITE / "Posts.xml", d / "Posts.xml")
    [s] = do_import(ws, d)
    assert s.added == 4
    assert "Users.xml is absent: its records are not imported" in s.warnings


def _rows(path):
    return [r.attrib for r in ET.parse(path).getroot() if r.tag == "row"]


def test_real_conlang_dump(ws, shared):
    dump = shared / "stackexchange-conlang"
    posts, comments = _rows(dump / "Posts.xml"), _rows(dump / "Comments.xml")
    votes, users = _rows(dump / "Votes.xml"), _rows(dump / "Users.xml")
    by_id = {p["Id"]: p for p in posts}
    qa = {"1", "2"}
    n_posts = sum(p["PostTypeId"] == "1" for p in posts)
    n_replies = sum(p["PostTypeId"] == "2" for p in posts)
    n_comments = sum(c["PostId"] not in by_id or by_id[c["PostId"]]["PostTypeId"] in qa for c in comments)
    vtypes = Counter(v["VoteTypeId"] for v in votes if v["PostId"] not in by_id or by_id[v["PostId"]]["PostTypeId"] in qa)
    n_likes = vtypes["1"] + vtypes["2"] + vtypes["5"] + vtypes["8"]
    ghosts = {p["OwnerDisplayName"] for p in posts if "OwnerUserId" not in p and p["PostTypeId"] in qa} | {
        c["UserDisplayName"] for c in comments if "UserId" not in c}
    # the figures of the data README, and what those independent counts give
    assert (len(posts), len(comments), len(votes), len(users)) == (177, 230, 1119, 272)
    assert (n_posts, n_replies, n_comments, n_likes, len(ghosts)) == (54, 115, 230, 971, 6)

    [s] = do_import(ws, dump)
    assert s.read == 177 + 230 + 1119
    assert {k: v["added"] for k, v in s.by_kind.items()} == {"post": n_posts, "reply": n_replies,
                                                             "comment": n_comments, "like": n_likes}
    assert s.identities_added == len(users) + len(ghosts)
    assert s.warnings == ["Posts.xml: 8 tag wiki and other non-Q&A posts skipped",
                          "Votes.xml: 133 downvotes and 15 moderation votes are not acts (kept in each post's score)"]
    # upvotes are anonymous; favourites and accepted answers name who
    named = ws.scalar("SELECT count(*) FROM activities WHERE kind = 'like' AND identity_id IS NOT NULL")
    assert named == vtypes["1"] + vtypes["5"] + vtypes["8"] == 21
    # every answer addresses its question's owner
    assert ws.scalar("SELECT count(*) FROM activities WHERE kind = 'reply' AND target_identity_id IS NOT NULL") == 115
    first = ws.rows("SELECT * FROM activities WHERE kind = 'post' ORDER BY ts LIMIT 1")[0]
    assert first["title"] == "Are questions asked in conlangs accepted on this site?"
    assert first["ts"] == datetime(2018, 2, 6, 20, 19, 50, 957000)
    assert "<" not in first["text"] and first["text"].startswith("We anticipate conlang specialists")
    names = {u["Id"]: u["DisplayName"] for u in users}
    assert ws.scalar("SELECT display_name FROM identities WHERE key = '14'") == names["14"]
    before = snapshot(ws)
    [s2] = do_import(ws, dump)
    assert (s2.added, s2.updated, s2.unchanged) == (0, 0, n_posts + n_replies + n_comments + n_likes)
    assert {k: v for k, v in snapshot(ws).items() if k != "sources"} == {k: v for k, v in before.items() if k != "sources"}
