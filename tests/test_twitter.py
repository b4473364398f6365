"""X/Twitter archives (window.YTD files, folder or zip) and search-API JSON."""
from __future__ import annotations

import json
import zipfile
from datetime import datetime

import orjson
import pytest

from lien.errors import BadInput
from lien.sources.twitter import parse_ytd, snowflake_time, user_key
from conftest import DATA, do_import, snapshot

A = DATA / "twitter" / "archive"
OWNER, LEA, MAX, ZOE = (user_key(i) for i in ("1500000001", "2200000002", "3300000003", "4400000004"))


def acts(ws):
    return ws.rows("""SELECT a.*, i.key AS actor, t.key AS target FROM activities a
                      LEFT JOIN identities i ON i.id = a.identity_id
                      LEFT JOIN identities t ON t.id = a.target_identity_id ORDER BY a.ts, a.kind, a.id""")


def test_helpers():
    assert parse_ytd(b"window.YTD.like.part0 = [ {\"like\": {\"tweetId\": \"1\"}} ];\n", "x") == [{"like": {"tweetId": "1"}}]
    assert parse_ytd(b'window.__THAR_CONFIG = {"a": 1}', "x") == {"a": 1}
    with pytest.raises(BadInput) as e:
        parse_ytd(b"window.YTD.tweets.part0 = [\n  {\"tweet\" : {\n", "data/tweets.js")
    assert e.value.info.record == "line 2, column 15" and e.value.info.found == "unexpected end of data"
    assert snowflake_time("1630870491755446272") == datetime(2023, 3, 1, 10, 0)
    assert snowflake_time("20") is None


def test_fixture_archive(ws):
    [s] = do_import(ws, A)
    # 5 tweets (two parts) + 3 likes + 2 followers + 1 following
    assert (s.format, s.read, s.added, s.identities_added) == ("twitter", 11, 13, 4)
    assert {k: v["added"] for k, v in s.by_kind.items()} == {"post": 2, "reply": 2, "share": 1, "mention": 2,
                                                             "like": 3, "follow": 3}
    assert s.warnings == ["1 likes dated by the archive (2023-03-08 12:00:00): the archive does not date them"]
    rows = acts(ws)
    assert {r["channel"] for r in rows} == {"twitter:x.com"}
    first = rows[0]
    assert first["kind"] == "like" and first["ts"] == datetime(2022, 1, 10, 9) and '"ts_from":"account_created"' in first["native"]
    post = next(r for r in rows if r["kind"] == "post")
    # t.co links expanded, entities decoded
    assert post["text"] == "Apéro le 15 avec @lea_l & vous ! https://asso-lien.example/apero #lyon"
    assert (post["url"], post["lang"], post["thread_id"]) == (
        "https://x.com/asso_lien/status/1630870491755446272", "fr", post["id"])
    assert orjson.loads(post["native"]) == {"id": "1630870491755446272", "hashtags": ["lyon"]}
    suite, merci = [r for r in rows if r["kind"] == "reply"]
    assert (suite["in_reply_to"], suite["thread_id"], suite["target"]) == (post["id"], post["id"], OWNER)
    assert merci["target"] == LEA and merci["thread_id"] == merci["in_reply_to"]
    # Léa once in the thread (the reply carries her name along), Max once
    assert [(r["target"], r["thread_id"]) for r in rows if r["kind"] == "mention"] == [(LEA, post["id"]), (MAX, post["id"])]
    share = next(r for r in rows if r["kind"] == "share")
    assert (share["target"], share["text"], share["ts"]) == (MAX, None, datetime(2023, 3, 3, 8))
    likes = [(r["ts"], orjson.loads(r["native"])["ts_from"]) for r in rows if r["kind"] == "like"]
    assert likes == [(datetime(2022, 1, 10, 9), "account_created"), (datetime(2023, 3, 5, 7), "tweet_id"),
                     (datetime(2023, 3, 8, 12), "archive")]
    follows = sorted((r["actor"], r["target"], r["ts"]) for r in rows if r["kind"] == "follow")
    assert follows == sorted([(LEA, OWNER, datetime(2023, 3, 8, 12)), (ZOE, OWNER, datetime(2023, 3, 8, 12)),
                              (OWNER, MAX, datetime(2023, 3, 8, 12))])
    owner = ws.rows("SELECT * FROM identities WHERE key = ?", [OWNER])[0]
    assert (owner["display_name"], owner["url"], owner["email"]) == ("Asso Lien", "https://x.com/asso_lien",
                                                                    "contact@asso-lien.example")
    assert orjson.loads(owner["native"])["bio"] == "L'association Lien, à Lyon"
    assert ws.scalar("SELECT display_name FROM identities WHERE key = ?", [LEA]) == "Léa"
    assert ws.scalar("SELECT url FROM identities WHERE key = ?", [MAX]) == "https://x.com/maxou"


def test_zip_one_file_and_reimport(ws, tmp_path):
    z = tmp_path / "twitter-2023-03-08-abc.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as f:
        for p in (A / "data").iterdir():
            f.write(p, f"data/{p.name}")
        f.writestr("Your archive.html", "<html></html>")
    [s] = do_import(ws, z)
    assert (s.format, s.added) == ("twitter", 13)
    before = snapshot(ws)
    [s2] = do_import(ws, A / "data" / "tweets.js")  # one of its files: the whole archive is read
    assert (s2.format, s2.added, s2.updated, s2.unchanged) == ("twitter", 0, 0, 13)
    after = snapshot(ws)
    assert {k: v for k, v in after.items() if k != "sources"} == {k: v for k, v in before.items() if k != "sources"}


def test_corrupted_archive_changes_nothing(ws, tmp_path):
    do_import(ws, A)
    before = snapshot(ws)
    broken = tmp_path / "broken"
    (broken / "data").mkdir(parents=True)
    for p in (A / "data").iterdir():
        (broken / "data" / p.name).write_bytes(p.read_bytes())
    data = (A / "data" / "tweets.js").read_bytes()
    (broken / "data" / "tweets.js").write_bytes(data[:1500])
    with pytest.raises(BadInput) as e:
        do_import(ws, broken)
    assert e.value.info.file.endswith("broken/data/tweets.js") and e.value.info.record.startswith("line ")
    assert snapshot(ws) == before
    (broken / "data" / "tweets.js").write_bytes(data.replace(b'"Thu Mar 02 09:00:00 +0000 2023"', b'"yesterday"'))
    with pytest.raises(BadInput) as e:
        do_import(ws, broken)
    assert e.value.info.record == "tweet 3 (id 1631217780126646272)" and e.value.info.found == "'yesterday'"
    assert snapshot(ws) == before
    [s] = do_import(ws, broken, skip_bad=True)
    assert (s.skipped, s.added, s.unchanged) == (1, 0, 12)


@pytest.mark.realdata
def test_real_search_api_json(ws, shared):
    path = shared / "perceval-tests/twitter/tweets.json"
    st = json.loads(path.read_text())["statuses"]
    rts = [x for x in st if "retweeted_status" in x or x["text"].startswith("RT @")]
    own = [x for x in st if x not in rts]
    replies = [x for x in own if x["in_reply_to_status_id_str"]]
    users = {x["user"]["id_str"] for x in st}
    accounts = users | {m["id_str"] for x in st for m in x["entities"]["user_mentions"]} | {
        x["retweeted_status"]["user"]["id_str"] for x in rts} | {x["in_reply_to_user_id_str"] for x in replies}
    pairs = {((x["in_reply_to_status_id_str"] or x["id_str"]), m["id_str"]) for x in own
             for m in x["entities"]["user_mentions"] if m["id_str"] not in (x["user"]["id_str"], x["in_reply_to_user_id_str"])}
    # the data README: 61 statuses, 49 retweets, 1 reply, 31 users
    assert (len(st), len(rts), len(replies), len(users)) == (61, 49, 1, 31)
    [s] = do_import(ws, path)
    assert (s.format, s.read, s.skipped) == ("twitter", 61, 0)
    assert {k: v["added"] for k, v in s.by_kind.items()} == {"post": len(own) - 1, "reply": 1, "share": 49,
                                                             "mention": len(pairs)}
    assert len(pairs) == 22 and s.identities_added == len(accounts) == 40
    assert ws.scalar("SELECT count(DISTINCT identity_id) FROM activities WHERE kind IN ('post', 'reply', 'share')") == 31
    # every retweet is addressed to the retweeted account
    assert ws.scalar("SELECT count(*) FROM activities WHERE kind = 'share' AND target_identity_id IS NULL") == 0
    # retweets carry no text (the words are not the retweeter's), hence no language
    langs = {r["lang"]: r["n"] for r in ws.rows("SELECT lang, count(*) AS n FROM activities WHERE kind IN ('post', 'reply') GROUP BY 1")}
    assert langs == {"en": sum(x["lang"] == "en" for x in own), "es": sum(x["lang"] == "es" for x in own)} == {"en": 9, "es": 3}
    assert ws.scalar("SELECT min(ts) FROM activities") == datetime(2018, 5, 31, 4, 47, 31)
    [s2] = do_import(ws, path)
    assert (s2.added, s2.updated) == (0, 0)


@pytest.mark.realdata
@pytest.mark.parametrize("page", ["tweets_page_1.json", "tweets_page_2.json", "tweets_page_3.json"])
def test_real_search_api_pages(ws, shared, page):
    path = shared / "perceval-tests/twitter" / page
    st = json.loads(path.read_text())["statuses"]
    kinds = {}
    for x in st:
        k = "share" if "retweeted_status" in x or x["text"].startswith("RT @") else (
            "reply" if x["in_reply_to_status_id_str"] else "post")
        kinds[k] = kinds.get(k, 0) + 1
    [s] = do_import(ws, path, format="twitter")
    assert (s.read, s.skipped) == (len(st), 0)
    assert {k: v["added"] for k, v in s.by_kind.items() if k != "mention"} == kinds
    assert ws.scalar("SELECT count(*) FROM activities WHERE kind <> 'mention'") == len(st)
