"""lien content on tests/data/org/content.csv (channel "blog"), as of the week ending 2024-06-02.

A "Assemblée générale : qui vient ?": Ana comments, Ben answers her, we answer Ben (depth 3),
  Cléo likes it → 2 people, 2 newcomers, 1 reply of ours, 1 like.
B "Photos de l'assemblée": 3 likes, nobody answers → clicks only.
C "Atelier vélo : qui vient ?" (a link): Cléo comments, her first substantive act (she had only liked).
D "Photos de l'atelier": 1 like → clicks only.
"""
from __future__ import annotations

import json
import shutil

import pytest

from conftest import DATA, do_import
from lien.metrics import content as C

ORG = DATA / "org"


@pytest.fixture
def blog(ws):
    shutil.copy(ORG / "lien.toml", ws.config_path)
    ws.reload_config()
    do_import(ws, ORG / "content.csv", channel="blog")
    return ws


def test_per_post(blog):
    data = C.content(blog, "2024-06-02")
    got = [(p["title"], p["people"], p["depth"], p["newcomers"], p["our_replies"], p["likes"], p["clicks_only"])
           for p in data["posts"]]
    assert got == [
        ("Photos de l'atelier", 0, 0, 0, 0, 1, True),
        ("Atelier vélo : qui vient ?", 1, 1, 1, 0, 0, False),
        ("Photos de l'assemblée", 0, 0, 0, 0, 3, True),
        ("Assemblée générale : qui vient ?", 2, 3, 2, 1, 1, False),
    ]
    assert C.content(blog, "2024-05-12")["posts"][0]["title"] == "Assemblée générale : qui vient ?"


def test_what_starts_conversations(blog):
    s = {(x["kind"], x["value"]): x for x in C.content(blog, "2024-06-02")["summary"]}
    assert (s[("word", "vient")]["conversation_pct"], s[("word", "vient")]["verdict"]) == (100.0, "conversation")
    assert (s[("format", "question")]["posts"], s[("format", "question")]["conversations"]) == (2, 2)
    assert (s[("word", "photos")]["clicks_only_pct"], s[("word", "photos")]["verdict"]) == (100.0, "clicks")
    assert s[("word", "photos")]["avg_likes"] == 2.0
    assert (s[("category", "vélo")]["posts"], s[("category", "vélo")]["conversations"]) == (2, 1)
    assert (s[("channel", "blog")]["posts"], s[("channel", "blog")]["clicks_only"]) == (4, 2)
    assert ("format", "link") not in s  # a single post: groups need 2
    first = C.content(blog, "2024-06-02")["summary"][0]
    assert first["conversation_pct"] == 100.0


def test_cli_content(cli, tmp_path):
    shutil.copy(ORG / "lien.toml", tmp_path / "lien.toml")
    cli("import", "--channel", "blog", ORG / "content.csv")
    code, o, _ = cli("content", "--as-of", "2024-06-02", "--json")
    assert code == 0 and len(json.loads(o)["posts"]) == 4
    code, o, _ = cli("--lang", "fr", "content", "--as-of", "2024-06-02")
    assert code == 0 and "lance des conversations" in o
