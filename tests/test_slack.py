"""Slack workspace export importer: a hand-written export (folder and zip) and the real,
damaged digitalrebar export."""
from __future__ import annotations

import json
import zipfile
from collections import Counter
from datetime import datetime

import pytest

from conftest import DATA, do_import, snapshot
from lien.errors import BadInput
from lien.sources.slack import slack_ts

SL = DATA / "slack"
EXPORT = SL / "asso-lien"


def acts(ws, kind):
    return ws.rows(f"""
        SELECT a.*, upper(i.key) AS actor, upper(t.key) AS target, a.native->>'slack_channel' AS sc FROM activities a
        LEFT JOIN identities i ON i.id = a.identity_id LEFT JOIN identities t ON t.id = a.target_identity_id
        WHERE a.kind = '{kind}' ORDER BY a.ts, a.id""")


def test_small_export(ws):
    [s] = do_import(ws, EXPORT)
    assert s.format == "slack" and s.warnings == []
    assert (s.read, s.added, s.identities_added) == (10, 10, 5)
    assert {k: v["added"] for k, v in s.by_kind.items()} == {"follow": 1, "post": 4, "reply": 2, "comment": 1, "like": 2}
    assert {r["channel"] for r in ws.rows("SELECT DISTINCT channel FROM activities")} == {"slack:asso-lien"}

    [join] = acts(ws, "follow")
    assert (join["actor"], join["text"], join["sc"]) == ("U02", None, "general")
    assert json.loads(join["native"])["inviter"] == "U01"
    posts = acts(ws, "post")
    assert [(p["actor"], p["sc"], p["target"]) for p in posts] == [
        ("U01", "events", None), ("U01", "general", "U02"), ("GITTER-BRIDGE", "general", None), ("B_HELPER", "general", None)]
    welcome = posts[1]
    assert welcome["text"] == "Bienvenue @Paul M. ! Ordre du jour : l'ODJ & #events"
    assert welcome["ts"] == datetime(2024, 3, 1, 10, 1, 0, 200)
    assert json.loads(welcome["native"])["unattributed_reactions"] == 3
    assert posts[2]["text"] == "[gitter] hello <all>"
    assert json.loads(posts[0]["native"])["edited"] == "1709287300.000000"

    replies = acts(ws, "reply")
    assert [(r["actor"], r["target"], r["text"]) for r in replies] == [
        ("U02", "U01", "Merci @Léa Martin 🙂"), ("U03", "U01", "Je serai là")]
    assert all(r["in_reply_to"] == welcome["id"] and r["thread_id"] == welcome["id"] for r in replies)
    [comment] = acts(ws, "comment")
    assert (comment["actor"], comment["target"], comment["text"]) == ("U02", "U01", "joli")
    likes = acts(ws, "like")
    assert sorted((x["actor"], x["target"], x["in_reply_to"] == welcome["id"]) for x in likes) == [
        ("U02", "U01", True), ("U03", "U01", True)]

    ids = {r["key"]: r for r in ws.rows("SELECT * FROM identities")}
    assert set(ids) == {"u01", "u02", "u03", "b_helper", "gitter-bridge"}
    assert (ids["u01"]["display_name"], ids["u01"]["email"]) == ("Léa Martin", "lea@example.org")
    assert ids["u02"]["display_name"] == "Paul M."
    assert [k for k, r in sorted(ids.items()) if r["is_bot"]] == ["b_helper", "gitter-bridge"]


def test_reimport_and_zip_add_nothing(ws, tmp_path):
    do_import(ws, EXPORT)
    before = snapshot(ws)
    [s] = do_import(ws, EXPORT)
    assert (s.added, s.updated, s.unchanged) == (0, 0, 10)
    z = tmp_path / "asso-lien.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for p in EXPORT.rglob("*.json"):
            zf.write(p, p.relative_to(EXPORT).as_posix())
    [s2] = do_import(ws, z)
    assert s2.format == "slack" and (s2.added, s2.updated, s2.unchanged) == (0, 0, 10)
    strip = lambda snap: {k: v for k, v in snap.items() if k != "sources"}  # noqa: E731
    assert strip(snapshot(ws)) == strip(before)


def test_broken_day_file_names_file_and_line(ws):
    do_import(ws, EXPORT)
    before = snapshot(ws)
    with pytest.raises(BadInput) as e:
        do_import(ws, SL / "broken")
    assert e.value.info.file.endswith("broken/general/2024-03-02.json")
    assert e.value.info.record.startswith("line 3")
    assert snapshot(ws) == before
    [s] = do_import(ws, SL / "broken", skip_bad=True)
    # the unreadable day file is the record lost; the other day is kept
    assert [b.record for b in s.bad] == ["line 3, column 46"] and s.by_kind["post"]["added"] == 2


def test_slack_ts():
    assert slack_ts("1486253733.000002") == datetime(2017, 2, 5, 0, 15, 33, 2)
    assert slack_ts("1486253733") == datetime(2017, 2, 5, 0, 15, 33)


# -- the real export ------------------------------------------------------------------------

NOT_ACTS = {"channel_leave", "channel_topic", "pinned_item", "tombstone"}


def test_real_digitalrebar_export(ws, shared):
    root = shared / "slack-export-digitalrebar"
    days = sorted(root.glob("*/*.json"))
    msgs = [(d.parent.name, m) for d in days for m in json.loads(d.read_text())]
    subtypes = Counter(m.get("subtype") for _, m in msgs)
    # the data README's figures
    assert (len(days), len(msgs), subtypes["bot_message"], subtypes["channel_join"]) == (309, 15290, 2298, 122)
    assert set(subtypes) - {None} - NOT_ACTS == {"bot_message", "file_share", "channel_join", "slackbot_response",
                                               "me_message", "file_comment", "thread_broadcast", "file_mention"}
    kept = [(c, m) for c, m in msgs if m.get("subtype") not in NOT_ACTS]
    follows = sum(m.get("subtype") == "channel_join" for _, m in kept)
    comments = sum(m.get("subtype") == "file_comment" for _, m in kept)
    replies = sum(m.get("thread_ts", m["ts"]) != m["ts"] for _, m in kept)
    posts = len(kept) - follows - comments - replies
    likes = sum(len(r["users"]) for _, m in kept for r in m.get("reactions", []))
    assert (len(kept), follows, comments, replies, posts, likes) == (15283, 122, 4, 62, 15095, 122)
    # people: the users who act or react, the authors of replied-to messages and files, the first
    # mention of a post, and the relayed names of bot messages without a user
    keys = set()
    for _, m in kept:
        st = m.get("subtype")
        keys.add(m["comment"]["user"] if st == "file_comment" else m.get("user") or m.get("username") or m.get("bot_id"))
        keys.update(u for r in m.get("reactions", []) for u in r["users"])
        if st == "file_comment":
            keys.add(m["file"]["user"])
        elif m.get("thread_ts", m["ts"]) != m["ts"]:
            keys.add(m.get("parent_user_id"))
        elif st != "channel_join" and "<@" in m["text"]:
            keys.add(m["text"].split("<@", 1)[1].split(">")[0].split("|")[0])
    keys.discard(None)
    bots = {m["username"] for _, m in kept if m.get("subtype") == "bot_message"} | {
        m["user"] for _, m in kept if "user" in m and (m.get("bot_id") or m.get("subtype") == "slackbot_response")}

    [s] = do_import(ws, root)
    assert s.read == 15290
    assert {k: v["added"] for k, v in s.by_kind.items()} == {"post": posts, "reply": replies, "comment": comments,
                                                             "follow": follows, "like": likes}
    assert s.identities_added == len(keys) == 213
    assert ws.scalar("SELECT count(*) FROM identities WHERE is_bot") == len(bots)
    # the defects: a clear warning each, and the rest imported
    assert s.warnings == [
        "users.json is absent: people are known by their Slack ids (U…) only",
        "channels.json is not valid JSON (line 344: Expecting value); read after removing trailing commas",
        "channels.json lists 2 channels but the export holds 15 channel folders: every folder is read"]
    assert ws.scalar("SELECT count(DISTINCT native->>'slack_channel') FROM activities") == 15
    # names shown in messages stand in for the missing users.json
    assert ws.scalar("SELECT display_name FROM identities WHERE key = 'u416t0aax'") == "wdennis"
    before = snapshot(ws)
    [s2] = do_import(ws, root)
    assert (s2.added, s2.updated) == (0, 0)
    assert {k: v for k, v in snapshot(ws).items() if k != "sources"} == {k: v for k, v in before.items() if k != "sources"}
