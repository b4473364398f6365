"""RSS 2.0, RSS 1.0 and Atom feeds with comment feeds: real files, threading, URLs, hostile XML."""
from __future__ import annotations

import email.utils
import re
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson
import pytest

from lien.errors import BadInput, UnsafeInput
from lien.sources.feed import FeedSource, parse_local_date
from lien.sources.load import detect
from lien.text import short_hash
from conftest import DATA, do_import, snapshot

F = DATA / "feed"
X = DATA / "xml"


# ------------------------------------------------------------------------------------------
# an independent reading of the real files: regular expressions on the raw bytes


_ITEM = re.compile(rb"<(item|entry)[\s>].*?</\1>", re.S)


def _tag(block: bytes, *names: str) -> str | None:
    for name in names:
        m = re.search(rb"<" + name.encode() + rb"(?:\s[^>]*)?>\s*(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?\s*</" + name.encode() + rb">",
                      block, re.S)
        if m and m.group(1).strip():
            return m.group(1).decode("utf-8", "replace").strip()
    return None


def _date(s: str) -> datetime:
    try:
        dt = email.utils.parsedate_to_datetime(s)
    except (TypeError, ValueError):
        dt = datetime.fromisoformat(s)
    dt = dt.astimezone(timezone.utc).replace(tzinfo=None) if dt.tzinfo else dt
    return dt.replace(microsecond=0)  # feedparser keeps whole seconds ("…T04:20:00.001-07:00")


def raw_items(path: Path) -> list[dict[str, Any]]:
    out = []
    for m in _ITEM.finditer(path.read_bytes()):
        b = m.group(0)
        atom = m.group(1) == b"entry"
        when = _tag(b, "published", "updated") if atom else _tag(b, "pubDate", "dc:date")
        author = _tag(b, "name") if atom else _tag(b, "dc:creator", "author")
        out.append({"date": when, "author": author})
    return out


# file -> (items, channel, identities, first, last) — items as in ../shared/data/README.md
REAL = {
    "rss-parser-feeds/content-encoded.rss": (7, "blog:medium.com", 3),
    "rss-parser-feeds/craigslist.rss": (25, "blog:sfbay.craigslist.org", 1),  # the channel's dc:creator robot@
    "rss-parser-feeds/encoding.rss": (40, "blog:www.jn.pt", 1),  # no authors: the site
    "rss-parser-feeds/feedburner.atom": (25, "blog:googleadsdeveloper.blogspot.com", 1),
    "rss-parser-feeds/guardian.rss": (55, "blog:www.theguardian.com", 46),  # 45 names + the site (5 empty)
    "rss-parser-feeds/heise.atom": (15, "blog:www.heise.de", 1),  # the feed's author "heise online"
    "rss-parser-feeds/many-links.rss": (25, "blog:testing.googleblog.com", 1),
    "rss-parser-feeds/reddit-home.rss": (24, "blog:www.reddit.com", 24),
    "rss-parser-feeds/rss-1.rss": (69, "blog:science.sciencemag.org", 30),
    "rss-parser-feeds/uolNoticias.rss": (15, "blog:noticias.uol.com.br", 1),
    "feedparser-touchnokia-atom/large_atom_feed_that_needs_css_sanitisation.xml": (15, "blog:touchnokia.ru", 1),
    "perceval-tests/rss/rss_entries.xml": (30, "blog:blog.couchbase.com", 11),
}


def test_every_real_feed(ws, shared):
    paths = [shared / f for f in REAL]
    summaries = do_import(ws, *paths)
    assert [s.format for s in summaries] == ["feed"] * len(REAL)
    for s, (name, (n, channel, people)) in zip(summaries, REAL.items()):
        raw = raw_items(shared / name)
        assert len(raw) == n, name
        assert (s.read, s.added, s.skipped, s.bad, s.warnings) == (n, n, 0, [], []), name
        assert s.by_kind == {"post": {"added": n, "updated": 0, "unchanged": 0}}, name
        row = ws.rows("""SELECT count(*) AS n, count(DISTINCT identity_id) AS people, min(ts) AS first,
                         max(ts) AS last, count(*) FILTER (WHERE identity_id IS NULL) AS anonymous
                         FROM activities WHERE channel = ?""", [channel])[0]
        assert (row["n"], row["people"], row["anonymous"]) == (n, people, 0), name
        named = {r["author"] for r in raw if r["author"]}
        if people > 1 and "@" not in next(iter(named)):
            # one identity per distinct author name, plus the site for items naming nobody
            assert people == len(named) + any(r["author"] is None for r in raw), name
        if "uolNoticias" not in name:
            dates = [_date(r["date"]) for r in raw]
            assert (row["first"], row["last"]) == (min(dates), max(dates)), name
    # encodings: ISO-8859-1 declared (with CRLF), and Latin-1 with no declaration at all
    jn = (shared / "rss-parser-feeds/encoding.rss").read_bytes().decode("iso-8859-1")
    first_title = re.search(r"<item><title>\s*(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?\s*</title>", jn, re.S).group(1).strip()
    assert ws.scalar("SELECT count(*) FROM activities WHERE channel = 'blog:www.jn.pt' AND title = ?", [first_title]) == 1
    assert ws.scalar("SELECT display_name FROM identities WHERE channel = 'blog:www.jn.pt'") == \
        "Jornal de Notícias - Últimas Notícias"
    uol = ws.rows("SELECT title, ts, url FROM activities WHERE channel = 'blog:noticias.uol.com.br' ORDER BY ts")
    assert uol[-1]["title"] == "Ibope: Bolsonaro perde de Haddad, Ciro e Alckmin em simulações de 2º turno"
    # "Seg, 24 Set 2018 19:18:49 -0300" .. "19:42:40 -0300": Portuguese day and month names
    assert (uol[0]["ts"], uol[-1]["ts"]) == (datetime(2018, 9, 24, 22, 18, 49), datetime(2018, 9, 24, 22, 42, 40))
    # Russian text, CSS-heavy HTML reduced to text
    ru = ws.rows("SELECT text, lang FROM activities WHERE channel = 'blog:touchnokia.ru'")
    assert all(r["text"] and "<" not in r["text"] and "{" not in r["text"] for r in ru)
    # Blogger: thr:total comment counts kept natively (213 in all), noreply@blogger.com is nobody's key
    raw_total = sum(int(x) for x in re.findall(rb"<thr:total>(\d+)</thr:total>",
                                               (shared / "rss-parser-feeds/many-links.rss").read_bytes()))
    assert raw_total == 213
    assert ws.scalar("""SELECT sum(CAST(native->>'comments' AS INTEGER)) FROM activities
                        WHERE channel = 'blog:testing.googleblog.com'""") == 213
    blogger = ws.rows("SELECT key, email, display_name FROM identities WHERE channel = 'blog:testing.googleblog.com'")
    assert blogger == [{"key": "http://www.blogger.com/profile/03153388556673050910", "email": None,
                        "display_name": "Google Testing Bloggers"}]
    reddit = ws.scalar("SELECT count(*) FROM identities WHERE channel = 'blog:www.reddit.com' AND key LIKE "
                       "'https://www.reddit.com/user/%'")
    assert reddit == 24
    assert ws.scalar("SELECT key FROM identities WHERE channel = 'blog:www.heise.de'") == "heise online"
    assert ws.scalar("SELECT count(DISTINCT lang) FROM activities WHERE channel = 'blog:www.theguardian.com'") == 1
    assert ws.scalar("SELECT any_value(lang) FROM activities WHERE channel = 'blog:www.theguardian.com'") == "en-gb"

    before = snapshot(ws)
    again = do_import(ws, *paths)
    assert [(s.added, s.updated, s.unchanged) for s in again] == [(0, 0, n) for n, _, _ in REAL.values()]
    after = snapshot(ws)
    assert {k: v for k, v in after.items() if k != "sources"} == {k: v for k, v in before.items() if k != "sources"}


def test_detection(shared, tmp_path):
    for name in REAL:
        assert detect(shared / name) is FeedSource, name
    p = shared / "rss-parser-feeds/rss-1.rss"
    assert FeedSource.detect(p, p.read_bytes()[:8192]) == 60
    wxr = b'<?xml version="1.0"?>\n<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/">'
    assert FeedSource.detect(Path("x.xml"), wxr) == 30
    assert FeedSource.detect(Path("x.xml"), wxr.replace(b"http:", b"https:")) == 30
    assert FeedSource.detect(Path("x.xml"), b"<html><body>no</body></html>") == 0
    assert FeedSource.detect(Path("x.json"), b'{"feed": 1}') == 0


# ------------------------------------------------------------------------------------------
# WordPress posts and comment feeds


def _ids(ws: Any) -> dict[str, dict[str, Any]]:
    rows = ws.rows("""SELECT a.*, i.key AS actor, t.key AS target FROM activities a
                      LEFT JOIN identities i ON i.id = a.identity_id
                      LEFT JOIN identities t ON t.id = a.target_identity_id""")
    return {r["native"] and orjson.loads(r["native"]).get("guid") or r["url"]: r for r in rows}


def test_wordpress_posts_and_overlapping_comment_feeds(ws):
    [p] = do_import(ws, F / "wp-posts.rss")
    assert (p.read, p.added, p.identities_added) == (2, 2, 2)
    post = ws.rows("SELECT * FROM activities WHERE url = 'https://asso.example.org/2024/03/bienvenue/'")[0]
    ns = "feed:asso.example.org"
    assert post["id"] == short_hash(ns, "https://asso.example.org/?p=101")
    assert post["thread_id"] == post["id"] and post["in_reply_to"] is None
    assert (post["kind"], post["channel"], post["lang"]) == ("post", "blog:asso.example.org", "fr-fr")
    assert post["ts"] == datetime(2024, 3, 4, 8, 0)
    assert post["title"] == "Bienvenue aux nouveaux adhérents"
    assert post["text"] == "Bonjour à tous & bienvenue !\n\nRendez-vous jeudi."  # script dropped, HTML reduced
    assert orjson.loads(post["native"]) == {
        "guid": "https://asso.example.org/?p=101", "comments": 3,
        "comment_feed": "https://asso.example.org/2024/03/bienvenue/feed/",
        "comments_url": "https://asso.example.org/2024/03/bienvenue/#comments"}
    ag = ws.rows("SELECT ts FROM activities WHERE url = 'https://asso.example.org/2024/02/ag/'")[0]
    assert ag["ts"] == datetime(2024, 2, 24, 17, 30)  # +0100 to UTC

    [c] = do_import(ws, F / "wp-comments.rss")
    assert (c.read, c.added, c.identities_added) == (3, 3, 3)
    assert c.by_kind == {"comment": {"added": 2, "updated": 0, "unchanged": 0},
                         "reply": {"added": 1, "updated": 0, "unchanged": 0}}
    acts = _ids(ws)
    c11 = acts["https://asso.example.org/?p=101#comment-11"]
    c12 = acts["https://asso.example.org/?p=101#comment-12"]
    c13 = acts["https://asso.example.org/?p=88#comment-13"]
    assert (c11["kind"], c11["thread_id"], c11["in_reply_to"], c11["actor"], c11["target"]) == \
        ("comment", post["id"], post["id"], "alice", "marie dupont")
    assert c11["title"] is None and c11["text"] == "Ravie de vous rejoindre !"
    # "En réponse à <a href=…#comment-11>Alice</a>." makes #12 a reply to #11, the prefix dropped
    assert (c12["kind"], c12["thread_id"], c12["in_reply_to"], c12["actor"], c12["target"]) == \
        ("reply", post["id"], c11["id"], "bob", "alice")
    assert c12["text"] == "Moi aussi, à jeudi !"
    assert (c13["kind"], c13["target"]) == ("comment", "paul martin")
    assert c13["thread_id"] == short_hash(ns, "https://asso.example.org/?p=88")

    # the per-post feed overlaps (#11, #12) and adds #14, a reply to #12 on a comment page
    [pp] = do_import(ws, F / "wp-comments-p101.rss")
    assert (pp.read, pp.added, pp.updated, pp.unchanged, pp.identities_added) == (3, 1, 0, 2, 0)
    c14 = _ids(ws)["https://asso.example.org/?p=101#comment-14"]
    assert (c14["kind"], c14["thread_id"], c14["in_reply_to"], c14["target"]) == ("reply", post["id"], c12["id"], "bob")
    assert ws.count("activities") == 2 + 4
    assert ws.scalar("SELECT count(DISTINCT thread_id) FROM activities") == 2
    before = snapshot(ws)
    assert [(s.added, s.updated) for s in do_import(ws, F / "wp-comments.rss", F / "wp-posts.rss")] == [(0, 0), (0, 0)]
    assert {k: v for k, v in snapshot(ws).items() if k != "sources"} == \
        {k: v for k, v in before.items() if k != "sources"}


def test_comments_before_posts_meet_in_one_thread(ws):
    """Whichever feed comes first, post and comments share the thread id."""
    do_import(ws, F / "wp-comments-p101.rss", F / "wp-posts.rss")
    post_id = ws.scalar("SELECT id FROM activities WHERE kind = 'post' AND url LIKE '%bienvenue/'")
    assert ws.scalar("SELECT count(*) FROM activities WHERE thread_id = ?", [post_id]) == 4
    # the post's author is not known yet when the comment came first
    assert ws.scalar("SELECT target_identity_id FROM activities WHERE kind = 'comment'") is None
    [s] = do_import(ws, F / "wp-comments-p101.rss")
    assert (s.added, s.updated, s.unchanged) == (0, 1, 2)
    assert ws.scalar("""SELECT t.key FROM activities a JOIN identities t ON t.id = a.target_identity_id
                        WHERE a.kind = 'comment'""") == "marie dupont"


def test_channel_option_overrides(ws):
    [s] = do_import(ws, F / "wp-posts.rss", channel="blog:amis")
    assert ws.scalar("SELECT DISTINCT channel FROM activities") == "blog:amis"
    assert s.added == 2


# ------------------------------------------------------------------------------------------
# Atom threading (RFC 4685)


def test_atom_threading(ws):
    [s] = do_import(ws, F / "atom-thread.atom")
    assert (s.read, s.added, s.identities_added) == (4, 4, 3)
    assert s.by_kind == {"comment": {"added": 2, "updated": 0, "unchanged": 0},
                         "post": {"added": 1, "updated": 0, "unchanged": 0},
                         "reply": {"added": 1, "updated": 0, "unchanged": 0}}
    acts = _ids(ws)
    ns = "feed:lab.example.net"
    post = acts["tag:lab.example.net,2024:post-1"]
    c1 = acts["tag:lab.example.net,2024:comment-1"]
    c2 = acts["tag:lab.example.net,2024:comment-2"]
    c3 = acts["tag:lab.example.net,2024:comment-3"]
    assert post["id"] == short_hash(ns, "tag:lab.example.net,2024:post-1")
    assert (post["actor"], post["ts"], post["lang"]) == ("dana@lab.example.net", datetime(2024, 4, 1, 7, 0), "en")
    assert orjson.loads(post["native"])["comments"] == 2
    assert (c1["kind"], c1["thread_id"], c1["in_reply_to"], c1["actor"], c1["target"]) == \
        ("comment", post["id"], post["id"], "https://social.example/@eve", "dana@lab.example.net")
    assert (c2["kind"], c2["thread_id"], c2["in_reply_to"], c2["target"]) == \
        ("reply", post["id"], c1["id"], "https://social.example/@eve")
    assert (c3["kind"], c3["thread_id"], c3["target"], c3["lang"]) == \
        ("comment", short_hash(ns, "tag:lab.example.net,2023:post-9"), None, "de")
    assert c3["text"] == "Danke für den Artikel."
    dana = ws.rows("SELECT display_name, email, url FROM identities WHERE key = 'dana@lab.example.net'")
    assert dana == [{"display_name": "Dana Lee", "email": "dana@lab.example.net",
                     "url": "https://lab.example.net/about/dana"}]


def test_atom_reply_to_a_comment_already_in_the_workspace(ws, tmp_path):
    """A later feed replying to a known comment makes a reply in that comment's thread."""
    do_import(ws, F / "atom-thread.atom")
    later = tmp_path / "later.atom"
    later.write_text((F / "atom-thread.atom").read_text().split("<entry>")[0] + """
  <entry><id>tag:lab.example.net,2024:comment-4</id><title>Re</title>
    <thr:in-reply-to ref="tag:lab.example.net,2024:comment-2"/>
    <updated>2024-04-05T10:00:00Z</updated><author><name>Eve</name><uri>https://social.example/@eve</uri></author>
    <content type="text">You are welcome.</content></entry>
</feed>""")
    [s] = do_import(ws, later)
    assert s.by_kind == {"reply": {"added": 1, "updated": 0, "unchanged": 0}}
    ns = "feed:lab.example.net"
    r = ws.rows("SELECT a.*, t.key AS target FROM activities a LEFT JOIN identities t ON t.id = a.target_identity_id "
                "WHERE a.id = ?", [short_hash(ns, "tag:lab.example.net,2024:comment-4")])[0]
    assert (r["thread_id"], r["in_reply_to"], r["target"]) == (
        short_hash(ns, "tag:lab.example.net,2024:post-1"), short_hash(ns, "tag:lab.example.net,2024:comment-2"),
        "dana@lab.example.net")


# ------------------------------------------------------------------------------------------
# dates, encodings, damaged and hostile files


def test_item_without_date_takes_the_feeds_date_with_a_warning(ws):
    [s] = do_import(ws, F / "no-date.rss")
    assert (s.added, len(s.warnings)) == (2, 1)
    assert "1 items have no date" in s.warnings[0]
    rows = ws.rows("SELECT title, ts FROM activities ORDER BY title")
    assert rows == [{"title": "Dated", "ts": datetime(2024, 5, 9, 18, 0)},
                    {"title": "Undated", "ts": datetime(2024, 5, 10, 7, 0)}]
    # RSS 2.0 <author>: "e-mail (name)"
    assert ws.rows("SELECT key, display_name FROM identities ORDER BY key")[0] == \
        {"key": "coach@club.example.com", "display_name": "The Coach"}


def test_item_without_any_date_is_bad(ws):
    do_import(ws, F / "wp-posts.rss")
    before = snapshot(ws)
    with pytest.raises(BadInput) as e:
        do_import(ws, F / "no-date-at-all.rss")
    assert e.value.info.file.endswith("no-date-at-all.rss")
    assert e.value.info.record == "item 2 (link http://club.example.com/news/2)"
    assert snapshot(ws) == before
    [s] = do_import(ws, F / "no-date-at-all.rss", skip_bad=True)
    assert (s.added, s.skipped, [b.record for b in s.bad]) == (1, 1, ["item 2 (link http://club.example.com/news/2)"])


def test_truncated_feed(ws):
    do_import(ws, F / "atom-thread.atom")
    before = snapshot(ws)
    with pytest.raises(BadInput) as e:
        do_import(ws, F / "truncated.rss")
    info = e.value.info
    assert info.file.endswith("truncated.rss") and info.record == "line 39"
    assert "well-formed XML" in info.expected and "unclosed token" in info.found
    assert snapshot(ws) == before
    # --skip-bad keeps what feedparser recovered and lists the problem
    [s] = do_import(ws, F / "truncated.rss", skip_bad=True)
    assert (s.added, s.skipped, [b.record for b in s.bad]) == (2, 1, ["line 39"])
    assert ws.scalar("SELECT count(*) FROM activities WHERE channel = 'blog:asso.example.org'") == 2


@pytest.mark.parametrize("name", ["billion-laughs.rss", "xxe.rss"])
def test_hostile_xml_is_refused(ws, name):
    do_import(ws, F / "wp-posts.rss")
    before = snapshot(ws)
    with pytest.raises(UnsafeInput) as e:
        do_import(ws, X / name)
    assert e.value.info.file.endswith(name)
    with pytest.raises(UnsafeInput):
        do_import(ws, X / name, format="feed", skip_bad=True)
    assert snapshot(ws) == before


def test_utf16_and_undeclared_encodings(ws, tmp_path):
    text = (F / "wp-posts.rss").read_text("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    p16 = tmp_path / "posts16.xml"
    p16.write_bytes(text.encode("utf-16"))  # with a byte-order mark
    [s] = do_import(ws, p16)
    assert (s.format, s.added) == ("feed", 2)
    latin = tmp_path / "latin.rss"
    latin.write_bytes(b"<rss version='2.0'><channel><title>Caf\xe9</title><link>http://cafe.example/</link>"
                      b"<item><title>D\xe9j\xe0 vu</title><link>http://cafe.example/1</link>"
                      b"<pubDate>Ven, 3 Mai 2024 10:00:00 +0200</pubDate></item></channel></rss>")
    [s] = do_import(ws, latin)
    assert s.added == 1
    assert ws.rows("SELECT title, ts FROM activities WHERE channel = 'blog:cafe.example'") == \
        [{"title": "Déjà vu", "ts": datetime(2024, 5, 3, 8, 0)}]


def test_not_a_feed(ws, tmp_path):
    p = tmp_path / "page.xml"
    p.write_text("<?xml version='1.0'?><html><body>hello</body></html>")
    with pytest.raises(BadInput) as e:
        do_import(ws, p, format="feed")
    assert "RSS 2.0, RSS 1.0 or Atom" in e.value.info.expected


def test_parse_local_date():
    assert parse_local_date("Seg, 24 Set 2018 19:42:40 -0300") == datetime(2018, 9, 24, 22, 42, 40)
    assert parse_local_date("mar., 05 févr. 2019 10:00:00 +0100") == datetime(2019, 2, 5, 9, 0)
    assert parse_local_date("Mi, 3 Mär 2021 08:15 GMT") == datetime(2021, 3, 3, 8, 15)
    assert parse_local_date("Jue, 12 Dic 2019 23:00:00") == datetime(2019, 12, 12, 23, 0)
    assert parse_local_date("sometime soon") is None
    assert parse_local_date("Seg, 24 Xyz 2018 19:42:40 -0300") is None


# ------------------------------------------------------------------------------------------
# URLs: conditional GET against a real server on loopback


class _Feed:
    def __init__(self, body: bytes, etag: str, modified: str) -> None:
        self.body, self.etag, self.modified = body, etag, modified
        self.requests: list[dict[str, str | None]] = []


def _serve(state: _Feed) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            inm, ims = self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
            state.requests.append({"path": self.path, "if_none_match": inm, "if_modified_since": ims})
            if (inm is not None and inm == state.etag) or (inm is None and ims == state.modified):
                self.send_response(304)
                self.send_header("ETag", state.etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=UTF-8")
            self.send_header("Content-Length", str(len(state.body)))
            self.send_header("ETag", state.etag)
            self.send_header("Last-Modified", state.modified)
            self.end_headers()
            self.wfile.write(state.body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/feed/"


_NEW_ITEM = """	<item>
		<title>Sortie au jardin partagé</title>
		<link>https://asso.example.org/2024/03/jardin/</link>
		<dc:creator><![CDATA[Marie Dupont]]></dc:creator>
		<pubDate>Wed, 06 Mar 2024 10:00:00 +0000</pubDate>
		<guid isPermaLink="false">https://asso.example.org/?p=120</guid>
		<description><![CDATA[On plante samedi.]]></description>
	</item>
"""


def test_url_conditional_get_and_sync(ws, cli, tmp_path):
    state = _Feed((F / "wp-posts.rss").read_bytes(), '"v1"', "Tue, 05 Mar 2024 09:12:00 GMT")
    server, url = _serve(state)
    try:
        [s] = do_import(ws, url)
        assert (s.format, s.location, s.added, s.not_modified) == ("feed", url, 2, False)
        assert state.requests[-1] == {"path": "/feed/", "if_none_match": None, "if_modified_since": None}
        src = ws.rows("SELECT kind, location, etag, last_modified FROM sources")[0]
        assert src == {"kind": "feed", "location": url, "etag": '"v1"', "last_modified": state.modified}

        before = snapshot(ws)
        [s] = do_import(ws, url)
        assert (s.not_modified, s.added, s.read) == (True, 0, 0)
        assert state.requests[-1] == {"path": "/feed/", "if_none_match": '"v1"', "if_modified_since": state.modified}
        assert snapshot(ws) == before

        # the feed changes: only the new item comes in
        state.body = state.body.replace(b"\t<item>", _NEW_ITEM.encode() + b"\t<item>", 1)
        state.etag, state.modified = '"v2"', "Wed, 06 Mar 2024 10:05:00 GMT"
        [s] = do_import(ws, url)
        assert (s.not_modified, s.read, s.added, s.unchanged) == (False, 3, 1, 2)
        assert ws.scalar("SELECT etag FROM sources") == '"v2"'

        # `lien sync` fetches every URL source again, with the stored validators
        ws.close()
        code, out, err = cli("--workspace", str(ws.path), "sync", "--json")
        assert code == 0, err
        [res] = orjson.loads(out)["imports"]
        assert (res["location"], res["not_modified"], res["added"]) == (url, True, 0)
        assert state.requests[-1]["if_none_match"] == '"v2"'
        state.body = state.body.replace(b"On plante samedi.", b"On plante dimanche.")
        state.etag = '"v3"'
        code, out, err = cli("--workspace", str(ws.path), "sync", "--json")
        assert code == 0, err
        [res] = orjson.loads(out)["imports"]
        assert (res["not_modified"], res["added"], res["updated"], res["unchanged"]) == (False, 0, 1, 2)
        assert len(state.requests) == 5
    finally:
        server.shutdown()
        server.server_close()


def test_url_cli_import(cli):
    state = _Feed((F / "atom-thread.atom").read_bytes(), '"a"', "Wed, 03 Apr 2024 10:00:00 GMT")
    server, url = _serve(state)
    try:
        code, out, err = cli("import", url, "--json")
        assert code == 0, err
        [res] = orjson.loads(out)["imports"]
        assert (res["format"], res["added"]) == ("feed", 4)
        code, out, err = cli("import", url, "--json")
        assert orjson.loads(out)["imports"][0]["not_modified"] is True
        # a second site that goes down: `lien sync` still follows the first, then says what failed
        other = _Feed((F / "wp-posts.rss").read_bytes(), '"w"', "Tue, 05 Mar 2024 09:12:00 GMT")
        server2, url2 = _serve(other)
        try:
            assert cli("import", url2)[0] == 0
        finally:
            server2.shutdown()
            server2.server_close()
        state.etag = '"b"'
        state.body = state.body.replace(b"Congratulations!", b"Congratulations, Dana!")
        code, out, err = cli("sync", "--json")
        assert code == 1, out
        res = orjson.loads(out)
        assert [(r["location"], r["updated"]) for r in res["imports"]] == [(url, 1)]
        assert [(e["error"], e["url"]) for e in res["errors"]] == [("fetch", url2)]
    finally:
        server.shutdown()
        server.server_close()


def test_html_entities_in_xml_are_read_with_a_warning(ws, tmp_path):
    """&eacute; or &nbsp; are not XML, but real feeds carry them: read leniently, said in a warning."""
    p = tmp_path / "entities.rss"
    p.write_text("""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Ent&eacute;</title><link>http://ent.example/</link>
<item><title>Caf&eacute;&nbsp;ouvert</title><link>http://ent.example/1</link><pubDate>Thu, 09 May 2024 18:00:00 GMT</pubDate></item>
<item><title>Second</title><link>http://ent.example/2</link><pubDate>Thu, 09 May 2024 19:00:00 GMT</pubDate></item>
</channel></rss>""")
    [s] = do_import(ws, p)
    assert (s.added, s.bad) == (2, [])
    assert s.warnings == ["not strictly well-formed (line 2: undefined entity); read with feedparser's lenient parser"]
    assert ws.scalar("SELECT title FROM activities WHERE url = 'http://ent.example/1'") == "Café\u00a0ouvert"
