"""Mastodon account archive: notes, replies, mentions, boosts, likes, the owner's profile."""
from __future__ import annotations

import json
import re
import zipfile
from datetime import datetime

import orjson
import pytest

from lien.errors import BadInput
from lien.sources.mastodon import account_of_status, snowflake_time
from conftest import DATA, do_import, snapshot

A = DATA / "mastodon" / "archive"
OWNER = "https://social.example/users/asso"


def acts(ws):
    return ws.rows("""SELECT a.*, i.key AS actor, t.key AS target, t.channel AS target_channel
                      FROM activities a LEFT JOIN identities i ON i.id = a.identity_id
                      LEFT JOIN identities t ON t.id = a.target_identity_id ORDER BY a.ts, a.kind, a.id""")


def test_repeated_json_key_keeps_the_last_value():
    # the behaviour the importer relies on, pinned for both parsers
    assert orjson.loads(b'{"content": "a", "content": "b"}') == {"content": "b"}
    assert json.loads('{"content": "a", "content": "b"}') == {"content": "b"}


def test_helpers():
    assert account_of_status("https://mastodon.social/ap/users/1168/statuses/1169") == "https://mastodon.social/ap/users/1168"
    assert account_of_status("https://mastodon.nl/users/vosje62/statuses/116817050967805699") == "https://mastodon.nl/users/vosje62"
    assert account_of_status("https://pixelfed.com/p/NRCfediverse/977144196822863918") is None
    assert snowflake_time("https://x.example/users/a/statuses/111906127872000000") == datetime(2024, 2, 10, 8, 0)
    assert snowflake_time("https://pixelfed.com/p/NRCfediverse/977144196822863918") is None  # year 2442


def test_fixture_archive(ws):
    [s] = do_import(ws, A)
    assert (s.format, s.read, s.added, s.identities_added) == ("mastodon", 11, 12, 5)
    assert {k: v["added"] for k, v in s.by_kind.items()} == {"post": 2, "reply": 3, "mention": 2, "share": 2, "like": 3}
    assert s.warnings == ["outbox activities of other types not imported: Delete (1)",
                          "1 likes dated by the archive's last activity (2024-03-07 18:30:00): their status ids carry no date"]
    rows = acts(ws)
    by_uri = {orjson.loads(r["native"]).get("uri"): r for r in rows if r["kind"] in ("post", "reply")}
    root, suite, merci, poll, followers = (by_uri[f"{OWNER}/statuses/{i}"] for i in (1, 2, 3, 4, 7))
    # a repeated "content" key: the last one wins
    assert root["text"] == "Apéro le 15 avec @lea & #lyon" and root["lang"] == "fr"
    assert (root["kind"], root["thread_id"], root["url"]) == ("post", root["id"], "https://social.example/@asso/1")
    assert orjson.loads(root["native"]) == {"uri": f"{OWNER}/statuses/1", "visibility": "public", "hashtags": ["#lyon"],
                                            "attachments": 1}
    # a reply to our own note: addressed to us; the content warning is the title; +01:00 to UTC
    assert (suite["kind"], suite["in_reply_to"], suite["thread_id"], suite["target"]) == ("reply", root["id"], root["id"], OWNER)
    assert (suite["title"], suite["ts"]) == ("CW: détails", datetime(2024, 3, 1, 10, 5))
    # a reply to another server's status: addressed to the account in its URL, on that server's channel
    assert (merci["target"], merci["target_channel"]) == ("https://other.example/users/lea", "mastodon:other.example")
    assert orjson.loads(merci["native"])["visibility"] == "direct"
    # a poll replying to a URL that names no account: the first mention is the addressee
    assert poll["target"] == "https://misskey.example/users/9xyz" and '"target_from":"mention"' in poll["native"]
    assert followers["kind"] == "post" and '"visibility":"private"' in followers["native"]
    # mentions: lea once in the thread (the reply carries her along), max once; none for the addressee
    ments = [(r["target"], r["thread_id"]) for r in rows if r["kind"] == "mention"]
    assert ments == [("https://other.example/users/lea", root["id"]), ("https://third.example/users/max", root["id"])]
    shares = [(r["url"], r["target"]) for r in rows if r["kind"] == "share"]
    assert shares == [("https://third.example/users/max/statuses/111111111111111111", "https://third.example/users/max"),
                      ("https://peertube.example/videos/watch/abc", "https://peertube.example/accounts/zoe")]
    likes = [(r["ts"], r["target"], orjson.loads(r["native"])["ts_from"]) for r in rows if r["kind"] == "like"]
    assert likes == [(datetime(2024, 1, 1), "https://other.example/users/lea", "account_created"),
                     (datetime(2024, 2, 10, 8, 0), "https://other.example/users/lea", "status_id"),
                     (datetime(2024, 3, 7, 18, 30), None, "archive")]
    owner = ws.rows("SELECT * FROM identities WHERE key = ?", [OWNER])[0]
    assert (owner["channel"], owner["display_name"], owner["url"]) == ("mastodon:social.example", "Asso Lien",
                                                                       "https://social.example/@asso")
    native = orjson.loads(owner["native"])
    assert native["fields"] == [
        {"name": "Site", "value": "asso-lien.example", "links": ["https://asso-lien.example"]},
        {"name": "GitHub", "value": "github.com/asso-lien", "links": ["https://github.com/asso-lien"]},
        {"name": "Ville", "value": "Lyon", "links": []}]
    assert native["alsoKnownAs"] == ["https://old.example/users/asso"] and native["webfinger"] == "asso@social.example"
    assert ws.scalar("SELECT display_name FROM identities WHERE key = 'https://third.example/users/max'") == "@max@third.example"


def test_zip_outbox_file_and_reimport(ws, tmp_path):
    z = tmp_path / "archive-20240308.zip"
    with zipfile.ZipFile(z, "w") as f:
        for p in A.iterdir():
            f.write(p, p.name)
        f.writestr("media_attachments/files/1.png", b"\x89PNG")
    [s] = do_import(ws, z)
    assert (s.format, s.added) == ("mastodon", 12)
    before = snapshot(ws)
    [s2] = do_import(ws, A / "outbox.json")  # the outbox alone: its folder is read
    assert (s2.format, s2.added, s2.updated, s2.unchanged) == ("mastodon", 0, 0, 12)
    after = snapshot(ws)
    assert {k: v for k, v in after.items() if k != "sources"} == {k: v for k, v in before.items() if k != "sources"}


def test_corrupted_outbox_changes_nothing(ws, tmp_path):
    do_import(ws, A)
    before = snapshot(ws)
    broken = tmp_path / "broken"
    broken.mkdir()
    for p in A.iterdir():
        (broken / p.name).write_bytes(p.read_bytes())
    data = (A / "outbox.json").read_bytes()
    (broken / "outbox.json").write_bytes(data[: len(data) // 2])
    with pytest.raises(BadInput) as e:
        do_import(ws, broken)
    assert e.value.info.file.endswith("broken/outbox.json") and e.value.info.record.startswith("line ")
    assert snapshot(ws) == before
    # an item without a date: a bad record, named
    doc = orjson.loads(data)
    del doc["orderedItems"][2]["published"]
    (broken / "outbox.json").write_bytes(orjson.dumps(doc))
    with pytest.raises(BadInput) as e:
        do_import(ws, broken)
    assert e.value.info.record == f"item 3 ({OWNER}/statuses/3/activity)"
    assert snapshot(ws) == before
    [s] = do_import(ws, broken, skip_bad=True)
    assert s.skipped == 1 and s.added == 0 and s.unchanged == 11


# -- the real archive ------------------------------------------------------------------------

def _expected(folder):
    """Counts derived from the JSON by a separate reading."""
    out = json.loads((folder / "outbox.json").read_text())["orderedItems"]
    owner = json.loads((folder / "actor.json").read_text())["id"]
    likes = json.loads((folder / "likes.json").read_text())["orderedItems"]
    parent = {x["object"]["id"]: x["object"].get("inReplyTo") for x in out if x["type"] == "Create"}
    acct = re.compile(r"^(https://[^/]+/(?:ap/)?users/[^/]+)/statuses/")

    def root(i):
        while parent.get(i) and parent[i] in parent:
            i = parent[i]
        return parent.get(i) or i

    accounts, pairs = set(), set()
    for x in out:
        if x["type"] == "Announce":
            accounts.update(c for c in x["cc"] if not c.endswith("/followers"))
            continue
        o = x["object"]
        irt = o.get("inReplyTo")
        target = owner if irt in parent else (acct.match(irt).group(1) if irt else None)
        if target and target != owner:
            accounts.add(target)
        for tag in o["tag"]:
            if tag["type"] == "Mention":
                accounts.add(tag["href"])
                if tag["href"] not in (owner, target):
                    pairs.add((root(o["id"]), tag["href"]))
    accounts.update(m.group(1) for m in map(acct.match, likes) if m)
    kinds = {"post": sum(1 for x in out if x["type"] == "Create" and not x["object"].get("inReplyTo")),
             "reply": sum(1 for x in out if x["type"] == "Create" and x["object"].get("inReplyTo")),
             "share": sum(1 for x in out if x["type"] == "Announce"), "like": len(likes), "mention": len(pairs)}
    return kinds, len(accounts - {owner}) + 1


@pytest.mark.realdata
def test_real_archive(ws, shared):
    folder = shared / "mastodon-goija-mastodon-social"
    kinds, n_ids = _expected(folder)
    # the data README: 305 items, 292 notes of which 228 replies, 13 boosts; 8 likes
    assert kinds == {"post": 64, "reply": 228, "share": 13, "like": 8, "mention": 50} and n_ids == 36
    [s] = do_import(ws, folder)
    assert (s.format, s.read, s.added, s.skipped, s.identities_added) == ("mastodon", 305 + 8, 363, 0, n_ids)
    assert {k: v["added"] for k, v in s.by_kind.items()} == kinds
    owner = "https://mastodon.social/ap/users/116840387061670746"
    row = ws.rows("SELECT channel, display_name, url, native FROM identities WHERE key = ?", [owner])[0]
    assert row["channel"] == "mastodon:mastodon.social" and row["url"] == "https://mastodon.social/@darkpatern"
    assert orjson.loads(row["native"])["webfinger"] == "darkpatern@mastodon.social"
    # 209 replies continue the owner's own threads: addressed to the owner
    assert ws.scalar("SELECT count(*) FROM activities WHERE kind = 'reply' AND target_identity_id = identity_id") == 209
    assert ws.scalar("SELECT count(*) FROM activities WHERE kind = 'reply' AND target_identity_id IS NULL") == 0
    assert ws.scalar("SELECT min(ts) FROM activities WHERE kind IN ('post', 'reply')") == datetime(2026, 6, 30, 18, 45, 5)
    langs = {r["lang"]: r["n"] for r in ws.rows("SELECT lang, count(*) AS n FROM activities WHERE kind IN ('post', 'reply') GROUP BY 1")}
    assert langs == {"nl": 285, "en": 7}
    [s2] = do_import(ws, folder)
    assert (s2.added, s2.updated, s2.unchanged) == (0, 0, 363)
