"""WordPress WXR importer: posts, threaded comments, pingbacks, identities, bad input, real exports."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import pytest

from lien.errors import BadInput, UnsafeInput
from lien.sources.load import detect
from lien.sources.wxr import WxrSource, repair, strip_shortcodes
from lien.text import short_hash
from conftest import DATA, do_import, snapshot

W = DATA / "wxr"
NS = "wxr:amis.example.org"
THEME = "wordpress-theme-test-data/themeunittestdata.wordpress.xml"
LABS = "wxr-cc-labs/wordpress.xml"


def acts(ws, where="true"):
    return {r["id"]: r for r in ws.rows(f"SELECT * FROM activities WHERE {where}")}


def key_of(ws, identity_id):
    return ws.scalar("SELECT key FROM identities WHERE id = ?", [identity_id])


def test_small_export_what_becomes_what(ws):
    [s] = do_import(ws, W / "small.xml")
    assert s.format == "wxr"
    # 7 items and 13 comments read; 3 posts, 5 comments, 2 replies, 2 mentions kept
    assert (s.read, s.added, s.identities_added) == (20, 12, 6)
    assert {k: v["added"] for k, v in s.by_kind.items()} == {"post": 3, "comment": 5, "reply": 2, "mention": 2}
    a = acts(ws)
    pid = lambda n: short_hash(NS, f"post:{n}")  # noqa: E731
    cid = lambda n: short_hash(NS, f"comment:{n}")  # noqa: E731
    assert set(a) == {pid(10), pid(2), pid(22)} | {cid(n) for n in (101, 102, 103, 104, 105, 106, 109, 111, 112)}
    assert {r["channel"] for r in a.values()} == {"blog:amis.example.org"}

    post = a[pid(10)]
    assert post["kind"] == "post" and post["ts"] == datetime(2024, 1, 15, 9, 0)
    assert post["title"] == "Assemblée générale 2024" and post["url"] == "https://amis.example.org/2024/01/ag-2024/"
    # HTML and shortcodes reduced to text, the caption kept, block comments gone, [sic] kept
    assert post["text"] == "Rendez-vous le 3 février & venez nombreux.\n\nLa salle\nÀ bientôt [sic]."
    assert key_of(ws, post["identity_id"]) == "claire@amis.example.org"
    import orjson
    native = orjson.loads(post["native"])
    assert native == {"post_id": 10, "post_type": "post", "status": "publish", "categories": ["Vie de l'asso"],
                      "tags": ["AG"], "guid": "https://amis.example.org/?p=10", "sticky": True}

    # top-level comment: in reply to the post, addressing its author
    c = a[cid(101)]
    assert (c["kind"], c["in_reply_to"], c["thread_id"]) == ("comment", pid(10), pid(10))
    assert key_of(ws, c["identity_id"]) == "lea@example.net"
    assert key_of(ws, c["target_identity_id"]) == "claire@amis.example.org"
    assert c["url"] == "https://amis.example.org/2024/01/ag-2024/#comment-101"
    assert c["ts"] == datetime(2024, 1, 15, 11, 0)
    assert "192.0.2.7" not in c["native"]  # IP addresses are never stored
    # a reply by the author (matched on her e-mail) to Léa; Léa's reply to it (mojibake repaired)
    r1, r2 = a[cid(102)], a[cid(103)]
    assert (r1["kind"], r1["in_reply_to"], r1["thread_id"]) == ("reply", cid(101), pid(10))
    assert key_of(ws, r1["identity_id"]) == "claire@amis.example.org"
    assert key_of(ws, r1["target_identity_id"]) == "lea@example.net"
    assert r1["text"] == "Merci Léa !"
    assert (r2["kind"], r2["in_reply_to"]) == ("reply", cid(102))
    assert key_of(ws, r2["target_identity_id"]) == "claire@amis.example.org"
    assert r2["text"] == "C’est noté, à samedi."
    # comment_user_id -> wp:author_id: Marc's comments are the author's, whatever e-mail he typed
    assert key_of(ws, a[cid(104)]["identity_id"]) == "marc"
    assert key_of(ws, a[cid(112)]["identity_id"]) == "marc"
    assert a[cid(112)]["thread_id"] == pid(2)
    # pingback and trackback: mentions by the linking site, kept apart
    m1, m2 = a[cid(105)], a[cid(106)]
    assert (m1["kind"], m2["kind"]) == ("mention", "mention")
    assert m1["identity_id"] == m2["identity_id"] and key_of(ws, m1["identity_id"]) == "https://aline.example.com"
    assert m1["url"] == "https://aline.example.com/2024/01/agenda/"
    assert m1["title"] == "Le blog d’Aline « Agenda"
    assert orjson.loads(m1["native"])["comment_type"] == "pingback"
    assert orjson.loads(m2["native"])["comment_type"] == "trackback"
    assert m1["in_reply_to"] == pid(10) and key_of(ws, m1["target_identity_id"]) == "claire@amis.example.org"
    # a reply to a spam comment stays a comment on the post; its parent is kept in native
    o = a[cid(109)]
    assert (o["kind"], o["in_reply_to"]) == ("comment", pid(10))
    assert orjson.loads(o["native"])["parent_id"] == 107
    assert key_of(ws, o["identity_id"]) == "https://paul.example.org"
    # no e-mail nor URL: keyed by name
    assert key_of(ws, a[cid(111)]["identity_id"]) == "anonyme"
    # a published post dated in the future is kept with its date
    assert a[pid(22)]["ts"] == datetime(2099, 1, 1)

    ids = {r["key"]: r for r in ws.rows("SELECT * FROM identities")}
    assert set(ids) == {"claire@amis.example.org", "marc", "lea@example.net", "https://aline.example.com",
                        "https://paul.example.org", "anonyme"}
    assert ids["claire@amis.example.org"]["display_name"] == "Claire Dubois"
    assert ids["lea@example.net"]["display_name"] == "Léa Martin"  # repaired name
    assert ids["lea@example.net"]["url"] == "https://lea.example.net/"
    assert ids["https://aline.example.com"]["display_name"] == "aline.example.com"
    assert ws.count("people") == 6

    # nothing dropped silently
    assert s.warnings == [
        "3 comments not imported (not engagement): approved=0: 1, approved=spam: 1, approved=trash: 1",
        "1 approved comments on items that are not imported (drafts, attachments …) left out: post/draft: 1",
        "1 approved replies to a comment that is not imported kept as comments on the post",
        "4 items are not published posts or pages, not imported: attachment/inherit: 1, nav_menu_item/publish: 1, "
        "post/draft: 1, post/future: 1",
        "1 published items are dated in the future, kept with their date: post_id 22 (2099-01-01)",
    ]


def test_warnings_in_french(ws):
    from lien import i18n

    i18n.set_lang("fr")
    try:
        [s] = do_import(ws, W / "small.xml")
    finally:
        i18n.set_lang(None)
    assert s.warnings[0] == "3 commentaires non importés (pas de l'engagement) : approved=0: 1, approved=spam: 1, " \
                            "approved=trash: 1"


def test_reimport_adds_nothing_and_newer_export_adds_and_updates(ws):
    do_import(ws, W / "small.xml")
    before = snapshot(ws)
    [s] = do_import(ws, W / "small.xml")
    assert (s.added, s.updated, s.unchanged, s.identities_added) == (0, 0, 12, 0)
    after = snapshot(ws)
    assert {k: v for k, v in after.items() if k != "sources"} == {k: v for k, v in before.items() if k != "sources"}
    [s2] = do_import(ws, W / "small_v2.xml")
    assert (s2.added, s2.updated, s2.unchanged) == (1, 1, 11)
    assert ws.count("activities") == 13
    assert ws.scalar("SELECT title FROM activities WHERE id = ?", [short_hash(NS, "post:10")]) == \
        "Assemblée générale 2024 (salle changée)"


def test_two_blogs_never_collide_and_wxr_1_0(ws):
    do_import(ws, W / "small.xml")
    [s] = do_import(ws, W / "second-site.xml")
    # same post_id 10 and comment_id 101 on another blog: new acts, on its own channel
    assert (s.added, s.updated) == (2, 0)
    rows = ws.rows("SELECT * FROM activities WHERE channel = 'blog:autre.example.org' ORDER BY ts")
    assert [r["id"] for r in rows] == [short_hash("wxr:autre.example.org", "post:10"),
                                       short_hash("wxr:autre.example.org", "comment:101")]
    # WXR 1.0: no wp:author (the login is the key); a zero GMT date falls back on pubDate (+01:00)
    assert rows[0]["ts"] == datetime(2024, 1, 2, 7, 0)
    assert key_of(ws, rows[0]["identity_id"]) == "admin"
    assert key_of(ws, rows[1]["target_identity_id"]) == "admin"
    # Léa has one identity per blog (channel); the identity module links them
    assert ws.scalar("SELECT count(*) FROM identities WHERE key = 'lea@example.net'") == 2


def test_channel_option_overrides_but_ids_stay_per_site(ws):
    do_import(ws, W / "small.xml", channel="blog:amis")
    assert ws.scalar("SELECT DISTINCT channel FROM activities") == "blog:amis"
    assert ws.scalar("SELECT count(*) FROM activities WHERE id = ?", [short_hash(NS, "post:10")]) == 1


def test_detection():
    for f in (W / "small.xml", W / "second-site.xml"):
        assert detect(f) is WxrSource
    head = (W / "not_wxr.xml").read_bytes()
    assert WxrSource.detect(W / "not_wxr.xml", head) == 0


def test_not_a_wordpress_export(ws):
    with pytest.raises(BadInput) as e:
        do_import(ws, W / "not_wxr.xml", format="wxr")
    assert e.value.info.expected.startswith("a WordPress export")
    assert e.value.info.found == "<rss>"
    assert ws.count("activities") == 0


@pytest.mark.parametrize("name, record", [("truncated.xml", "line 79, column"),
                                          ("malformed.xml", "line 184, column")])
def test_broken_xml_names_the_line_and_changes_nothing(ws, name, record):
    do_import(ws, W / "second-site.xml")
    before = snapshot(ws)
    with pytest.raises(BadInput) as e:
        do_import(ws, W / name)
    assert e.value.info.record.startswith(record)
    assert e.value.info.expected == "well-formed XML"
    assert name in e.value.info.file
    assert snapshot(ws) == before


@pytest.mark.parametrize("name", ["billion_laughs.xml", "xxe.xml"])
def test_entities_are_refused(ws, name):
    before = snapshot(ws)
    with pytest.raises(UnsafeInput):
        do_import(ws, W / name, format="wxr")
    with pytest.raises(UnsafeInput):  # detection too picks wxr, and refuses
        do_import(ws, W / name)
    assert snapshot(ws) == before


def test_bad_dates_name_the_item_and_skip_bad_keeps_the_rest(ws):
    before = snapshot(ws)
    with pytest.raises(BadInput) as e:
        do_import(ws, W / "bad_date.xml")
    assert e.value.info.record == "item 2 (post_id 2)"
    assert e.value.info.found == "'2024-13-45 99:00:00'"
    assert snapshot(ws) == before
    [s] = do_import(ws, W / "bad_date.xml", skip_bad=True)
    assert [(b.record, b.found) for b in s.bad] == [("item 2 (post_id 2)", "'2024-13-45 99:00:00'"),
                                                    ("item 3 (post_id 3), comment 6", "'hier'")]
    assert s.added == 2 and s.skipped == 2
    assert {r["kind"] for r in ws.rows("SELECT kind FROM activities")} == {"post"}


def test_small_chunks_give_the_same_result(ws, tmp_path):
    [s] = do_import(ws, W / "small.xml", chunk_size=2)
    assert (s.read, s.added) == (20, 12)
    assert ws.scalar("SELECT count(*) FROM activities WHERE kind = 'reply'") == 2


def test_helpers():
    assert repair("CristÃ³bal") == "Cristóbal"
    assert repair("Iâ€™ll") == "I’ll"
    assert repair("déjà vu, Ãªtre") == "déjà vu, être"
    assert repair("Déjà là, naïve") == "Déjà là, naïve"  # real accents untouched
    assert strip_shortcodes('[audio https://x.org/a.mp3] [embed]https://v.example[/embed]').split() == \
        ["https://v.example"]
    assert strip_shortcodes("[foo bar=1]x[/foo] [edge case] [1]") == "\nx\n [edge case] [1]"


def test_cli_import(cli):
    code, out, err = cli("import", W / "small.xml", "--json")
    assert code == 0, err
    import json

    [s] = json.loads(out)["imports"]
    assert s["format"] == "wxr" and s["added"] == 12 and len(s["warnings"]) == 5


# ------------------------------------------------------------------------------------------
# real exports: the expected numbers come from a separate, plain ElementTree reading


def _expected(path: Path) -> dict:
    """What the file says, read independently of the importer."""
    ch = ET.parse(path).getroot().find("channel")
    authors = {a.findtext("{*}author_login"): a for a in ch.findall("{*}author")}
    by_id = {a.findtext("{*}author_id"): login for login, a in authors.items() if a.findtext("{*}author_id")}
    by_mail = {(a.findtext("{*}author_email") or "").lower(): login for login, a in authors.items()
               if a.findtext("{*}author_email")}
    out = {"post": 0, "comment": 0, "reply": 0, "mention": 0, "unapproved": 0, "keys": set()}

    def akey(login):
        a = authors.get(login)
        return ((a.findtext("{*}author_email") or login) if a is not None else login).lower()

    out["keys"] |= {akey(login) for login in authors}
    for it in ch.findall("item"):
        if it.findtext("{*}post_type") not in ("post", "page") or it.findtext("{*}status") != "publish":
            continue
        out["post"] += 1
        comments = it.findall("{*}comment")
        approved = {c.findtext("{*}comment_id") for c in comments if c.findtext("{*}comment_approved") == "1"}
        for c in comments:
            if c.findtext("{*}comment_approved") != "1":
                out["unapproved"] += 1
                continue
            ctype = c.findtext("{*}comment_type") or ""
            mail = (c.findtext("{*}comment_author_email") or "").strip()
            url = (c.findtext("{*}comment_author_url") or "").strip()
            if ctype in ("pingback", "trackback"):
                out["mention"] += 1
                host = url.split("/")[2].lower()
                out["keys"].add(f"{url.split(':')[0]}://{host}")
                continue
            out["reply" if c.findtext("{*}comment_parent") in approved else "comment"] += 1
            login = by_id.get(c.findtext("{*}comment_user_id")) or by_mail.get(mail.lower())
            key = akey(login) if login else (mail or url or c.findtext("{*}comment_author")).lower()
            out["keys"].add(key.rstrip("/") if key.startswith("http") else key)
    return out


@pytest.mark.realdata
@pytest.mark.parametrize("name, channel, counts", [
    # posts = published posts + pages; comments/replies/mentions among approved comments (data README:
    # theme 33 comments = 30 approved + 3 unapproved, 4 ping/trackbacks, 10 threaded of which 1 unapproved;
    # CC Labs 181 approved, 62 pingbacks, 3 threaded)
    (THEME, "blog:wpthemetestdata.wordpress.com",
     {"post": 56 + 21, "comment": 17, "reply": 9, "mention": 4, "unapproved": 3, "identities": 7}),
    (LABS, "blog:labs.creativecommons.org",
     {"post": 219 + 5, "comment": 116, "reply": 3, "mention": 62, "unapproved": 0, "identities": 124}),
])
def test_real_exports(ws, shared, name, channel, counts):
    path = shared / name
    exp = _expected(path)
    assert {k: exp[k] for k in ("post", "comment", "reply", "mention", "unapproved")} == \
        {k: v for k, v in counts.items() if k != "identities"}
    assert len(exp["keys"]) == counts["identities"]

    assert detect(path) is WxrSource
    [s] = do_import(ws, path)
    kinds = {k: v["added"] for k, v in s.by_kind.items()}
    assert kinds == {k: counts[k] for k in ("post", "comment", "reply", "mention")}
    assert s.identities_added == counts["identities"]
    assert {r["key"] for r in ws.rows("SELECT key FROM identities")} == exp["keys"]
    assert ws.scalar("SELECT DISTINCT channel FROM activities") == channel
    if counts["unapproved"]:
        assert s.warnings[0] == f"{counts['unapproved']} comments not imported (not engagement): approved=0: 3"
    else:
        assert not any("comments not imported" in w for w in s.warnings)
    # every reply points at an imported comment of the same thread; every comment at its post
    assert ws.scalar("""SELECT count(*) FROM activities r JOIN activities p ON p.id = r.in_reply_to
                        WHERE r.kind = 'reply' AND p.kind IN ('comment', 'reply')
                          AND p.thread_id = r.thread_id""") == counts["reply"]
    assert ws.scalar("""SELECT count(*) FROM activities c JOIN activities p ON p.id = c.in_reply_to
                        WHERE c.kind IN ('comment', 'mention') AND p.kind = 'post'""") == \
        counts["comment"] + counts["mention"]
    # no mojibake left, no shortcode left
    assert ws.scalar("SELECT count(*) FROM activities WHERE text LIKE '%Ã%' OR text LIKE '%â€%'") == 0
    assert ws.scalar(r"""SELECT count(*) FROM activities
                        WHERE regexp_matches(text, '\[/?(caption|gallery|audio|video|embed)\b')""") == 0

    before = snapshot(ws)
    [again] = do_import(ws, path)
    assert (again.added, again.updated, again.identities_added) == (0, 0, 0)
    after = snapshot(ws)
    assert {k: v for k, v in after.items() if k != "sources"} == {k: v for k, v in before.items() if k != "sources"}


@pytest.mark.realdata
def test_real_details(ws, shared):
    do_import(ws, shared / THEME, shared / LABS)
    # dates: the spans of the data README (comments), and pages go back further than posts
    span = ws.rows("""SELECT min(ts) AS lo, max(ts) AS hi FROM activities
                      WHERE kind IN ('comment', 'reply', 'mention') AND channel = 'blog:wpthemetestdata.wordpress.com'""")[0]
    assert (span["lo"], span["hi"]) == (datetime(2007, 9, 4, 0, 49, 3), datetime(2023, 1, 16, 7, 17, 56))
    span = ws.rows("""SELECT min(ts) AS lo, max(ts) AS hi FROM activities
                      WHERE kind IN ('comment', 'reply', 'mention') AND channel = 'blog:labs.creativecommons.org'""")[0]
    assert (span["lo"], span["hi"]) == (datetime(2007, 4, 11, 23, 18, 48), datetime(2013, 1, 26, 13, 2, 30))
    span = ws.rows("""SELECT min(ts) AS lo, max(ts) AS hi FROM activities
                      WHERE kind = 'post' AND channel = 'blog:labs.creativecommons.org'""")[0]
    assert (span["lo"], span["hi"]) == (datetime(2007, 4, 11, 0, 52, 59), datetime(2012, 7, 11, 16, 26, 11))
    # the 2030 "Scheduled" post (status future) and the draft are not acts
    assert ws.scalar("SELECT count(*) FROM activities WHERE title IN ('Scheduled', 'Draft')") == 0
    # the theme data's stray '>' in one dc:creator still finds the author
    assert ws.scalar("SELECT count(*) FROM identities WHERE key LIKE '>%'") == 0
    # mojibake repaired in the CC Labs post that thanks Cristóbal
    assert ws.scalar("SELECT count(*) FROM activities WHERE text LIKE '%Tiago and Cristóbal%'") == 1
    # the threaded demo: Fred Bloggs' reply 906 answers 905 (Jane Bloggs, same e-mail), all on post 1148
    ns = "wxr:wpthemetestdata.wordpress.com"
    r = ws.rows("SELECT * FROM activities WHERE id = ?", [short_hash(ns, "comment:906")])[0]
    assert r["in_reply_to"] == short_hash(ns, "comment:905") and r["thread_id"] == short_hash(ns, "post:1148")
    # comment 910 by themedemos (user_id set, e-mail of the author) is the author's act
    r = ws.rows("SELECT * FROM activities WHERE id = ?", [short_hash(ns, "comment:910")])[0]
    assert key_of(ws, r["identity_id"]) == "themeshaperwp+demos@gmail.com"
    # CC Labs: authors commenting while logged in (comment_user_id -> wp:author_id) use the author's identity
    assert ws.scalar("""SELECT count(*) FROM activities a JOIN identities i ON i.id = a.identity_id
                        WHERE a.channel = 'blog:labs.creativecommons.org' AND a.kind IN ('comment', 'reply')
                          AND i.native->>'wp_login' IS NOT NULL""") == 29
    # its self-pingbacks come from the blog itself, marked as the organisation
    assert ws.scalar("""SELECT count(*) FROM activities a JOIN identities i ON i.id = a.identity_id
                        WHERE a.kind = 'mention' AND i.is_org""") == 40  # grep: author_url of the blog
