"""Facebook JSON export: posts, comments, reactions, messages; mojibake repaired."""
from __future__ import annotations

import zipfile
from datetime import datetime

import orjson
import pytest

from lien.errors import BadInput
from lien.sources.facebook import title_target, unmojibake
from conftest import DATA, do_import, snapshot

E = DATA / "facebook" / "export"
R = "your_activity_across_facebook"


def acts(ws):
    return ws.rows("""SELECT a.*, i.key AS actor, t.key AS target FROM activities a
                      LEFT JOIN identities i ON i.id = a.identity_id
                      LEFT JOIN identities t ON t.id = a.target_identity_id ORDER BY a.ts, a.kind, a.id""")


def test_mojibake_and_titles():
    # what real exports hold: UTF-8 bytes escaped one by one
    raw = orjson.loads(b'{"t": "Apr\\u00c3\\u00a8s \\u00f0\\u009f\\u008e\\u0089", "ok": "d\\u00e9j\\u00e0"}')
    assert unmojibake(raw) == {"t": "Après 🎉", "ok": "déjà"}  # proper text is left alone
    assert title_target("Asso Lien commented on Léa Martin's post.", "Asso Lien") == "Léa Martin"
    assert title_target("Asso Lien replied to Thomas's comment.", "Asso Lien") == "Thomas"
    assert title_target("Asso Lien commented on his own post.", "Asso Lien") == "Asso Lien"
    assert title_target("Asso Lien a commenté la publication de Zoé Durand.", "Asso Lien") == "Zoé Durand"
    assert title_target("Asso Lien hat einen Beitrag kommentiert.", "Asso Lien") is None


def test_fixture_export(ws):
    raw = (E / R / "posts/your_posts__check_ins__photos_and_videos_1.json").read_bytes()
    assert b"\\u00c3\\u00a9" in raw  # the fixture is written the way Facebook writes
    [s] = do_import(ws, E)
    # 2 posts + 3 comments + 2 reactions + 6 messages (one a group notice)
    assert (s.format, s.read, s.added, s.identities_added) == ("facebook", 13, 13, 4)
    assert {k: v["added"] for k, v in s.by_kind.items()} == {"post": 2, "reply": 1, "comment": 2, "like": 3, "message": 5}
    assert s.warnings == ["1 membership notices in conversations not imported (joined/left)"]
    rows = acts(ws)
    assert {r["channel"] for r in rows} == {"facebook:asso.lien"}
    post = rows[0]
    assert (post["kind"], post["actor"], post["text"], post["url"], post["ts"]) == (
        "post", "asso lien", "Apéro numérique le 15 mars à Lyon ! Venez nombreux 🎉", "https://asso-lien.example/apero",
        datetime(2024, 3, 1, 10))
    reply = next(r for r in rows if r["kind"] == "reply")
    assert (reply["target"], reply["text"]) == ("léa martin", "Merci Léa, à bientôt !")
    comments = [(r["target"], r["text"]) for r in rows if r["kind"] == "comment"]
    assert comments == [("asso lien", "Le programme est en ligne."), ("zoé durand", "Bravo à toute l'équipe")]
    likes = [(r["actor"], r["target"], orjson.loads(r["native"])["reaction"]) for r in rows if r["kind"] == "like"]
    assert likes == [("asso lien", "léa martin", "LIKE"), ("asso lien", "zoé durand", "LOVE"), ("léa martin", "asso lien", "❤")]
    dm = [r for r in rows if r["kind"] == "message" and r["thread_id"] == rows[7]["thread_id"]]
    # newest first in the file: put in order; each answers the other's last message
    assert [(r["actor"], r["target"]) for r in dm] == [("léa martin", "asso lien"), ("asso lien", "léa martin"),
                                                      ("léa martin", "asso lien")]
    assert [r["in_reply_to"] for r in dm] == [None, dm[0]["id"], dm[1]["id"]]
    group = [r for r in rows if r["kind"] == "message" and r["thread_id"] != dm[0]["thread_id"]]
    assert [(r["actor"], r["target"], r["text"]) for r in group] == [("asso lien", None, "Qui tient le stand samedi ?"),
                                                                     ("max petit", None, None)]
    assert orjson.loads(group[1]["native"]) == {"conversation": "Bénévoles 2024", "participants": 3, "photos": 1}
    owner = ws.rows("SELECT * FROM identities WHERE key = 'asso lien'")[0]
    assert (owner["display_name"], owner["email"], owner["url"]) == ("Asso Lien", "contact@asso-lien.example",
                                                                     "https://www.facebook.com/asso.lien")


def test_zip_and_reimport(ws, tmp_path):
    z = tmp_path / "facebook-asso.lien-2024-03-08.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as f:
        for p in E.rglob("*.json"):
            f.write(p, p.relative_to(E).as_posix())
    [s] = do_import(ws, z)
    assert (s.format, s.added) == ("facebook", 13)
    before = snapshot(ws)
    [s2] = do_import(ws, E)
    assert (s2.added, s2.updated, s2.unchanged) == (0, 0, 13)
    after = snapshot(ws)
    assert {k: v for k, v in after.items() if k != "sources"} == {k: v for k, v in before.items() if k != "sources"}


def test_corrupted_export_changes_nothing(ws, tmp_path):
    do_import(ws, E)
    before = snapshot(ws)
    broken = tmp_path / "export"
    for p in E.rglob("*.json"):
        q = broken / p.relative_to(E)
        q.parent.mkdir(parents=True, exist_ok=True)
        q.write_bytes(p.read_bytes())
    target = broken / R / "comments_and_reactions/comments.json"
    data = target.read_bytes()
    target.write_bytes(data[:200])
    with pytest.raises(BadInput) as e:
        do_import(ws, broken)
    assert e.value.info.file.endswith("comments_and_reactions/comments.json") and e.value.info.record.startswith("line ")
    assert snapshot(ws) == before
    doc = orjson.loads(data)
    doc["comments_v2"][1]["timestamp"] = "hier"
    doc["comments_v2"][1]["data"][0]["comment"]["timestamp"] = None
    target.write_bytes(orjson.dumps(doc))
    with pytest.raises(BadInput) as e:
        do_import(ws, broken)
    assert e.value.info.record == "comment 2"
    assert snapshot(ws) == before
    [s] = do_import(ws, broken, skip_bad=True)
    assert (s.skipped, s.added, s.unchanged) == (1, 0, 12)
