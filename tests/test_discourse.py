"""Discourse API JSON importer: a hand-written forum capture and the perceval captures."""
from __future__ import annotations

import json
import shutil
from datetime import datetime

import pytest

from conftest import DATA, do_import, snapshot
from lien.errors import BadInput

DC = DATA / "discourse"
FORUM = DC / "forum.example.org"


def posts(ws):
    return ws.rows("""
        SELECT a.*, i.key AS actor, t.key AS target, CAST(a.native->>'post_number' AS INT) AS num,
               CAST(a.native->>'topic_id' AS INT) AS topic
        FROM activities a JOIN identities i ON i.id = a.identity_id
        LEFT JOIN identities t ON t.id = a.target_identity_id ORDER BY topic, num""")


def test_small_forum(ws):
    [s] = do_import(ws, FORUM)
    assert s.format == "discourse"
    assert (s.read, s.added, s.identities_added) == (5, 5, 4)
    # the topic page lacks post 5 but the posts page has it: no pagination warning
    assert s.warnings == ["latest.json: a topic list (1 topics) holds no posts; import the topic pages (/t/ID.json) for them"]
    got = posts(ws)
    assert [(p["num"], p["kind"], p["actor"], p["target"]) for p in got] == [
        (1, "post", "lea", None), (2, "reply", "paul", "lea"), (3, "reply", "lea", "paul"),
        (4, "reply", "system", "lea"), (5, "reply", "ana", "lea")]
    first = got[0]
    assert (first["title"], first["text"], first["ts"]) == (
        "Atelier vélo samedi", "Qui vient à l'atelier vélo samedi ?", datetime(2024, 3, 1, 10, 0))
    assert first["url"] == "https://forum.example.org/t/atelier-velo/10/1"
    assert json.loads(first["native"])["likes"] == 3
    assert got[2]["in_reply_to"] == got[1]["id"] and got[1]["in_reply_to"] == first["id"]
    assert got[4]["in_reply_to"] == got[2]["id"]
    assert {p["thread_id"] for p in got} == {first["id"]}
    assert {p["channel"] for p in got} == {"discourse:forum.example.org"}
    ids = {r["key"]: r for r in ws.rows("SELECT * FROM identities")}
    assert ids["lea"]["display_name"] == "Léa Martin" and ids["lea"]["url"] == "https://forum.example.org/u/lea"
    assert [k for k, r in ids.items() if r["is_bot"]] == ["system"]


def test_one_page_warns_about_pagination(ws):
    [s] = do_import(ws, FORUM / "t_10.json")
    assert s.added == 4
    assert s.warnings == ["topic 10: 4 of its 5 posts are in t_10.json (the others are on later pages: "
                          "save /t/10/posts.json?post_ids[]=… for them)"]


def test_reply_read_before_its_parent(ws, tmp_path):
    d = tmp_path / "forum.example.org"
    d.mkdir()
    shutil.copy(FORUM / "t_10_posts.json", d / "a_more.json")
    shutil.copy(FORUM / "t_10.json", d / "b_topic.json")
    do_import(ws, d)
    assert [(p["num"], p["target"]) for p in posts(ws)][-1] == (5, "lea")


def test_reimport_adds_nothing(ws):
    do_import(ws, FORUM)
    before = snapshot(ws)
    [s] = do_import(ws, FORUM)
    assert (s.added, s.updated, s.unchanged) == (0, 0, 5)
    assert {k: v for k, v in snapshot(ws).items() if k != "sources"} == {k: v for k, v in before.items() if k != "sources"}


def test_truncated_page_leaves_workspace_unchanged(ws):
    do_import(ws, FORUM)
    before = snapshot(ws)
    with pytest.raises(BadInput) as e:
        do_import(ws, DC / "broken", format="discourse")
    assert e.value.info.file.endswith("broken/t_10_posts.json") and e.value.info.record.startswith("line 9")
    assert snapshot(ws) == before


def test_real_perceval_captures(ws, shared):
    folder = shared / "perceval-tests" / "discourse"
    docs = {p.name: json.loads(p.read_text()) for p in folder.glob("*.json")}
    pages = {n: d for n, d in docs.items() if "post_stream" in d}
    singles = {n: d for n, d in docs.items() if "post_number" in d}
    lists = {n: d for n, d in docs.items() if "topic_list" in d}
    assert len(pages) + len(singles) + len(lists) == len(docs) == 9
    all_posts = [p for d in pages.values() for p in d["post_stream"]["posts"]] + list(singles.values())
    distinct = {(p["topic_id"], p["post_number"]) for p in all_posts}
    users = {p["username"] for p in all_posts}
    firsts = {k for k in distinct if k[1] == 1}
    t1148 = docs["discourse_topic_1148.json"]
    # the data README's figures for topic 1148
    assert (t1148["posts_count"], len(t1148["post_stream"]["posts"]), len(t1148["post_stream"]["stream"])) == (22, 20, 22)
    assert (len(all_posts), len(distinct), len(users), len(firsts)) == (29, 27, 15, 4)

    [s] = do_import(ws, folder)
    assert (s.read, s.added, s.identities_added) == (len(all_posts), len(distinct), len(users))
    assert {k: v["added"] for k, v in s.by_kind.items()} == {"post": len(firsts), "reply": len(distinct) - len(firsts)}
    assert "topic 1148: 20 of its 22 posts are in discourse_topic_1148.json (the others are on later pages: " \
           "save /t/1148/posts.json?post_ids[]=… for them)" in s.warnings
    assert sum(w.startswith("discourse_topics") and "a topic list" in w for w in s.warnings) == len(lists) == 4
    got = {(p["topic"], p["num"]): p for p in posts(ws)}
    # reply_to_post_number 7 without reply_to_user: its author comes from the page
    assert (got[(1148, 8)]["actor"], got[(1148, 8)]["target"]) == ("gorhill", "asukalangleyfag")
    assert got[(1148, 20)]["target"] == "steveh66"
    assert got[(1148, 1)]["title"] == "[Support] uBlock Origin"
    assert json.loads(got[(1148, 1)]["native"])["likes"] == 6
    assert ws.scalar("SELECT count(*) FROM activities WHERE kind = 'reply' AND target_identity_id IS NULL") == 0
    [s2] = do_import(ws, folder)
    assert (s2.added, s2.updated, s2.unchanged) == (0, 0, len(distinct))
