"""mbox mailing-list archives: threads, obfuscated addresses, charsets, dates, zips."""
from __future__ import annotations

import email
import re
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from lien.errors import BadInput
from lien.sources.mbox import deobfuscate, sender
from conftest import DATA, do_import, snapshot

M = DATA / "mbox"


def acts(ws):
    return ws.rows("""SELECT a.*, i.key AS actor, i.display_name AS name, t.key AS target
                      FROM activities a LEFT JOIN identities i ON i.id = a.identity_id
                      LEFT JOIN identities t ON t.id = a.target_identity_id ORDER BY a.ts, a.id""")


def test_addresses_deobfuscated():
    assert deobfuscate("jo at example dot org (Jo)") == "jo@example.org (Jo)"
    assert deobfuscate("jjl at pobox.com (John J. Lee)") == "jjl@pobox.com (John J. Lee)"
    assert sender("R.M.Everson at exeter.ac.uk (R.M.Everson)") == ("R.M.Everson", "r.m.everson@exeter.ac.uk")
    assert sender("John M Meredith <[log in to unmask]>") == ("John M Meredith", None)
    assert sender(None) == (None, None)


def test_fixture_threads_charsets_and_text(ws):
    [s] = do_import(ws, M / "thread.mbox")
    assert (s.format, s.read, s.added, s.identities_added) == ("mbox", 5, 5, 5)
    assert s.by_kind["post"]["added"] == 2 and s.by_kind["reply"]["added"] == 3
    assert s.warnings == ["1 messages without a readable Date header are dated by their From_ line (UTC): "
                          "reply-3@example.net"]
    rows = acts(ws)
    root, bob, carole, org, dan = rows
    assert {r["channel"] for r in rows} == {"mail:asso-lien.lists.example.org"}
    # "alice at example dot org (Alice Martin)": an e-mail key, the comment as the name
    assert (root["actor"], root["name"], root["kind"]) == ("alice@example.org", "Alice Martin", "post")
    assert root["ts"] == datetime(2025, 1, 6, 10, 0)  # +0100 to UTC
    assert root["title"] == "Réunion de janvier"  # RFC 2047, list tag removed
    # a body line starting with "From " is not a new message; the list footer is trimmed
    assert root["text"] == "Bonjour à tous,\n\nFrom what I hear, the room is free on the 15th.\nOn se retrouve le 15 ?"
    # ISO-8859-1 name and body; quoted lines and their attribution trimmed; the key lower-cased
    assert (bob["actor"], bob["name"], bob["text"]) == ("bob@example.org", "Bob Léger", "Très bien, je viens.")
    assert (bob["kind"], bob["in_reply_to"], bob["thread_id"], bob["target"]) == ("reply", root["id"], root["id"],
                                                                                 "alice@example.org")
    # References only: parent = the last one, root = the first; no Date: the From_ line's
    assert (carole["in_reply_to"], carole["thread_id"], carole["target"]) == (bob["id"], root["id"], "bob@example.org")
    assert carole["ts"] == datetime(2025, 1, 7, 8, 15) and '"date_from":"envelope"' in carole["native"]
    assert carole["text"] == "Moi aussi ! Merci Bob."  # HTML only: reduced, script dropped
    # text/plain preferred over HTML, quoted-printable decoded, Outlook-style original cut; zone-less date = UTC
    assert (org["text"], org["ts"], org["kind"]) == ("La salle est confirmée pour le 15.", datetime(2025, 1, 8, 9), "post")
    # a parent outside the archive: still a reply, its thread is the unknown parent, no target
    assert dan["kind"] == "reply" and dan["target"] is None and dan["thread_id"] == dan["in_reply_to"] != dan["id"]


def test_list_address_is_ours_when_configured(ws):
    ws.path.with_name("lien.toml").write_text('[organisation]\nidentities = ["asso-lien@lists.example.org"]\n')
    import lien
    w2 = lien.open(ws.path)
    try:
        do_import(w2, M / "thread.mbox")
        assert w2.rows("SELECT key FROM identities WHERE is_org") == [{"key": "asso-lien@lists.example.org"}]
    finally:
        w2.close()


def test_reimport_adds_nothing(ws):
    do_import(ws, M / "thread.mbox")
    before = snapshot(ws)
    [s] = do_import(ws, M / "thread.mbox")
    assert (s.added, s.updated, s.unchanged) == (0, 0, 5)
    after = snapshot(ws)
    assert {k: v for k, v in after.items() if k != "sources"} == {k: v for k, v in before.items() if k != "sources"}


def test_undated_message_is_a_bad_record(ws):
    do_import(ws, M / "thread.mbox")
    before = snapshot(ws)
    with pytest.raises(BadInput) as e:
        do_import(ws, M / "undated.mbox")
    assert e.value.info.record == "message 1 (line 1, Message-ID undated-1@example.org)"
    assert e.value.info.found == "no Date header" and "undated.mbox" in e.value.info.file
    assert snapshot(ws) == before
    [s] = do_import(ws, M / "undated.mbox", skip_bad=True)
    assert (s.read, s.added, s.skipped) == (2, 1, 1)


def test_zip_of_mbox_and_broken_zip(ws, tmp_path):
    z = tmp_path / "list.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as f:
        f.write(M / "thread.mbox", "messages.mbox")
    [s] = do_import(ws, z)
    assert (s.format, s.added) == ("mbox", 5)
    before = snapshot(ws)
    broken = tmp_path / "broken.zip"
    broken.write_bytes(z.read_bytes()[:-40])
    with pytest.raises(BadInput) as e:
        do_import(ws, broken, format="mbox")
    assert "broken.zip" in e.value.info.file and e.value.info.expected == "a readable zip file"
    assert snapshot(ws) == before
    not_mbox = tmp_path / "notes.mbox"
    not_mbox.write_text("Dear diary,\nnothing here is mail.\n")
    with pytest.raises(BadInput) as e:
        do_import(ws, not_mbox)
    assert (e.value.info.record, e.value.info.found) == ("line 1", "b'Dear diary,\\nnothing here is mail.\\n'")
    assert snapshot(ws) == before


# -- real archives ---------------------------------------------------------------------------

def _independent_counts(data: bytes) -> tuple[int, int, int, int]:
    """(messages, distinct Message-IDs, replies, senders) by a separate tiny parse."""
    parts = [p for p in re.split(rb"(?:^|\n\n)From \S[^\n]*\d\d:\d\d[^\n]*\n", data) if p.strip()]
    uniq: dict[object, email.message.Message] = {}
    for i, p in enumerate(parts):
        h = email.message_from_bytes(p)
        uniq.setdefault((h["Message-ID"] or "").strip() or i, h)
    replies = sum(1 for h in uniq.values() if h["In-Reply-To"] or h["References"])
    senders = set()
    for h in uniq.values():
        m = re.search(r"([\w.+-]+)(?: at |@)([\w.-]+)", str(h["From"]))
        senders.add(m.group(0).replace(" at ", "@").lower() if m else str(h["From"]).split("<")[0].strip())
    return len(parts), len(uniq), replies, len(senders)


REAL = [  # file, channel, messages (data README), acts, replies, senders, unanswered targets
    ("mbox-bigbang/2001-November.txt", "mail:numpy-discussion", 164, 82, 57, 39),
    ("mbox-bigbang/3GPP_MENTORING.mbox", "mail:3GPP_MENTORING", 27, 27, 0, 9),
    ("perceval-tests/mbox/mbox_complex.mbox", "mail:desktop-devel-list.gnome.org", 2, 2, 1, 2),
    ("perceval-tests/mbox/mbox_iso8859_encoding.mbox", "mail:ovs-dev", 1, 1, 0, 1),
    ("perceval-tests/mbox/mbox_multipart.mbox", "mail:esl-dev.eclipse.org", 2, 2, 0, 2),
    ("perceval-tests/mbox/mbox_no_fields.mbox", "mail:list-name", 6, 3, 0, 1),
    ("perceval-tests/mbox/mbox_single.mbox", "mail:list-name", 1, 1, 0, 1),
    ("perceval-tests/mbox/mbox_unixfrom_encoding.mbox", "mail:analytics", 1, 1, 1, 1),
    ("perceval-tests/mbox/mbox_unknown_encoding.mbox", "mail:platform-swt-dev.eclipse.org", 1, 1, 0, 1),
    ("perceval-tests/pipermail/pipermail_2015_november.mbox", "mail:metrics-grimoire", 4, 4, 3, 2),
    ("perceval-tests/pipermail/pipermail_2016_april.mbox", "mail:metrics-grimoire", 3, 3, 2, 2),
    ("perceval-tests/pipermail/pipermail_2016_march.mbox", "mail:metrics-grimoire", 1, 1, 0, 1),
    ("perceval-tests/hyperkitty/hyperkitty_2016_april.mbox", "mail:metrics-grimoire", 3, 3, 2, 2),
    ("perceval-tests/hyperkitty/hyperkitty_2016_march.mbox", "mail:metrics-grimoire", 1, 1, 0, 1),
]


@pytest.mark.realdata
@pytest.mark.parametrize("name,channel,messages,n_acts,replies,senders", REAL, ids=[r[0] for r in REAL])
def test_real_mbox(ws, shared, name, channel, messages, n_acts, replies, senders):
    path = shared / name
    assert _independent_counts(path.read_bytes()) == (messages, n_acts, replies, senders)
    [s] = do_import(ws, path)
    assert (s.format, s.read, s.added, s.skipped, s.bad) == ("mbox", messages, n_acts, 0, [])
    assert s.by_kind.get("reply", {}).get("added", 0) == replies
    assert ws.count("activities") == n_acts
    assert ws.scalar("SELECT count(DISTINCT identity_id) FROM activities") == senders
    assert {r["channel"] for r in ws.rows("SELECT DISTINCT channel FROM activities")} == {channel}
    [s2] = do_import(ws, path)
    assert (s2.added, s2.updated, s2.unchanged) == (0, 0, n_acts)


@pytest.mark.realdata
def test_real_pipermail_threads_and_doubled_archive(ws, shared):
    # 2001-November.txt holds every message twice: 164 read, 82 kept, a warning says so
    [s] = do_import(ws, shared / "mbox-bigbang/2001-November.txt")
    assert s.warnings == ["82 repeated Message-IDs kept once (first copy)"]
    first = ws.rows("""SELECT i.key, i.display_name, a.ts, a.title, a.kind FROM activities a
                       JOIN identities i ON i.id = a.identity_id ORDER BY a.ts, a.id LIMIT 1""")[0]
    assert first == {"key": "jjl@pobox.com", "display_name": "John J. Lee", "ts": datetime(2001, 11, 1, 11, 19, 12),
                     "title": "RE: Numeric2", "kind": "reply"}
    # every reply whose parent is in the file addresses the parent's sender
    n = ws.scalar("""SELECT count(*) FROM activities c JOIN activities p ON p.id = c.in_reply_to
                     WHERE c.target_identity_id IS DISTINCT FROM p.identity_id""")
    assert n == 0
    assert ws.scalar("SELECT count(*) FROM activities c JOIN activities p ON p.id = c.in_reply_to") == 47
    # no address in the file survives obfuscated
    assert ws.scalar("SELECT count(*) FROM identities WHERE key LIKE '% at %'") == 0


@pytest.mark.realdata
def test_real_quirky_files(ws, shared):
    # duplicate ids, a missing Message-ID, a missing Date, an empty Date, a "RANDOM_" Date
    [s] = do_import(ws, shared / "perceval-tests/mbox/mbox_no_fields.mbox")
    assert s.warnings == ["3 repeated Message-IDs kept once (first copy)"]
    assert [r["ts"] for r in ws.rows("SELECT ts FROM activities ORDER BY ts")] == [
        datetime(2010, 12, 1, 13, 26, 40), datetime(2010, 12, 1, 13, 26, 40), datetime(2016, 9, 21, 19, 42, 7)]
    # non-ASCII bytes in the From_ line; 8-bit bytes in an unknown charset; RFC 2047 names
    do_import(ws, shared / "perceval-tests/mbox/mbox_unixfrom_encoding.mbox",
              shared / "perceval-tests/mbox/mbox_unknown_encoding.mbox", shared / "perceval-tests/mbox/mbox_complex.mbox")
    names = {r["key"]: r["display_name"] for r in ws.rows("SELECT key, display_name FROM identities")}
    assert names["christian@example.org"] == "Christian Aistleitner"
    assert names["yuancong@example.com"] == "Ô¬´Ï"
    assert names["danilo@gnome.org"] == "Danilo Šegan"
    # LISTSERV hides addresses: senders keyed by name, no e-mail
    do_import(ws, shared / "mbox-bigbang/3GPP_MENTORING.mbox")
    assert ws.scalar("SELECT count(*) FROM identities WHERE channel = 'mail:3GPP_MENTORING' AND email IS NULL") == 9
    assert ws.scalar("""SELECT count(*) FROM activities WHERE channel = 'mail:3GPP_MENTORING'
                        AND url LIKE 'https://list.etsi.org/scripts/wa.exe?A2=%'""") == 27


@pytest.mark.realdata
def test_real_groupsio_zip(ws, shared):
    z = shared / "perceval-tests/groupsio/messages.zip"
    with zipfile.ZipFile(z) as f:
        assert _independent_counts(f.read("messages.mbox")) == (49, 49, 0, 3)
    [s] = do_import(ws, z)
    assert (s.format, s.read, s.added) == ("mbox", 49, 49)
    assert ws.scalar("SELECT count(DISTINCT identity_id) FROM activities") == 3
    [e] = do_import(ws, shared / "perceval-tests/groupsio/empty.zip", format="mbox")
    assert (e.read, e.added) == (0, 0) and e.warnings and "no message found" in e.warnings[0]
