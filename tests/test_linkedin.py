"""LinkedIn CSV export: shares, comments, reactions, messages, connections."""
from __future__ import annotations

import zipfile
from datetime import datetime

import orjson
import pytest

from lien.errors import BadInput
from conftest import DATA, do_import, snapshot

E = DATA / "linkedin" / "export"
ME, LEA, MAX, ZOE = ("https://www.linkedin.com/in/" + x for x in ("asso-lien", "leamartin", "maxpetit", "zoe-durand-1a2b3c"))


def acts(ws):
    return ws.rows("""SELECT a.*, i.key AS actor, t.key AS target FROM activities a
                      LEFT JOIN identities i ON i.id = a.identity_id
                      LEFT JOIN identities t ON t.id = a.target_identity_id ORDER BY a.ts, a.kind, a.id""")


def test_fixture_export(ws):
    [s] = do_import(ws, E)
    # 2 shares + 2 comments + 2 reactions + 4 messages + 2 connections
    assert (s.format, s.read, s.added, s.identities_added) == ("linkedin", 12, 12, 4)
    assert {k: v["added"] for k, v in s.by_kind.items()} == {"post": 2, "comment": 2, "like": 2, "message": 4, "follow": 2}
    rows = acts(ws)
    assert {r["channel"] for r in rows} == {"linkedin:linkedin.com"}
    zoe = rows[0]  # connected in 2023: the connection joined our network
    assert (zoe["kind"], zoe["actor"], zoe["target"], zoe["ts"]) == ("follow", ZOE, ME, datetime(2023, 1, 12))
    post = rows[1]
    # a quoted multi-line CSV field with doubled quotes and an emoji
    assert (post["kind"], post["actor"], post["text"]) == ("post", ME, 'Apéro numérique le 15 mars à Lyon !\nInscriptions : "ouvertes" 🎉')
    assert post["url"] == "https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A7169000000000000001"
    assert orjson.loads(post["native"]) == {"shared_url": "https://asso-lien.example/apero", "visibility": "MEMBER_NETWORK"}
    own_comment, other_comment = [r for r in rows if r["kind"] == "comment"]
    assert (own_comment["in_reply_to"], own_comment["thread_id"], own_comment["target"]) == (post["id"], post["id"], ME)
    assert (other_comment["in_reply_to"], other_comment["target"], other_comment["text"]) == (None, None, "Bravo Léa, belle initiative !")
    assert [orjson.loads(r["native"])["type"] for r in rows if r["kind"] == "like"] == ["PRAISE", "LIKE"]
    msgs = [r for r in rows if r["kind"] == "message"]
    # out of order in the file: sorted; each answers the other side's last message; HTML reduced
    assert [(r["actor"], r["target"], r["text"]) for r in msgs] == [
        (LEA, ME, "Bonjour, l'apéro est bien le 15 ?"), (ME, LEA, "Oui, 19 h à la Maison des associations."),
        (LEA, ME, "Parfait !"), (MAX, None, "Je tiens le stand samedi.")]
    assert [r["in_reply_to"] for r in msgs[:3]] == [None, msgs[0]["id"], msgs[1]["id"]]
    assert msgs[0]["title"] == "Apéro" and msgs[0]["ts"] == datetime(2024, 3, 6, 8)
    assert msgs[3]["thread_id"] != msgs[0]["thread_id"]
    ids = {r["key"]: r for r in ws.rows("SELECT * FROM identities")}
    assert (ids[ME]["display_name"], orjson.loads(ids[ME]["native"])) == ("Asso Lien", {"headline": "Association Lien, Lyon"})
    assert (ids[LEA]["display_name"], ids[LEA]["email"]) == ("Léa Martin", "lea.martin@example.org")


def test_zip_single_file_and_reimport(ws, tmp_path):
    z = tmp_path / "Basic_LinkedInDataExport_03-08-2024.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as f:
        for p in E.iterdir():
            f.write(p, p.name)
    [s] = do_import(ws, z)
    assert (s.format, s.added) == ("linkedin", 12)
    before = snapshot(ws)
    [s2] = do_import(ws, E)
    assert (s2.added, s2.updated, s2.unchanged) == (0, 0, 12)
    after = snapshot(ws)
    assert {k: v for k, v in after.items() if k != "sources"} == {k: v for k, v in before.items() if k != "sources"}
    # one file of the export: that file (with the profile and messages for the owner)
    [s3] = do_import(ws, E / "Shares.csv")
    assert (s3.format, s3.read, s3.unchanged) == ("linkedin", 6, 6)


def test_corrupted_csv_changes_nothing(ws, tmp_path):
    do_import(ws, E)
    before = snapshot(ws)
    broken = tmp_path / "export"
    broken.mkdir()
    for p in E.iterdir():
        (broken / p.name).write_bytes(p.read_bytes())
    (broken / "Connections.csv").write_text((E / "Connections.csv").read_text(encoding="utf-8").replace(
        "12 Jan 2023", "12 Jan 2023,extra"), encoding="utf-8")
    with pytest.raises(BadInput) as e:
        do_import(ws, broken)
    assert (e.value.info.record, e.value.info.found) == ("line 6", "8 columns")
    assert e.value.info.file.endswith("export/Connections.csv")
    assert snapshot(ws) == before
    (broken / "Connections.csv").write_bytes((E / "Connections.csv").read_bytes())
    (broken / "Shares.csv").write_text((E / "Shares.csv").read_text(encoding="utf-8").replace(
        "2024-03-04 08:30:00", "hier"), encoding="utf-8")
    with pytest.raises(BadInput) as e:
        do_import(ws, broken)
    assert (e.value.info.record, e.value.info.found) == ("line 4", "'hier'")
    assert snapshot(ws) == before
    [s] = do_import(ws, broken, skip_bad=True)
    assert (s.skipped, s.added, s.unchanged) == (1, 0, 11)
