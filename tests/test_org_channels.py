"""lien channels on the conversation fixture (tests/data/org/conversation.csv), figures derived by hand.

As of the week ending 2024-03-31 the quarter runs from 2024-01-01 to 2024-04-01 00:00. Our posts:
p1 (03-01 09:00, week 8 of the window) and p2 (03-10 09:00, week 9); Paul's q1 is not ours.
"""
from __future__ import annotations

import json
import shutil

import pytest

from conftest import DATA, do_import
from lien.metrics import presence as P

ORG = DATA / "org"


@pytest.fixture
def conv(ws):
    shutil.copy(ORG / "lien.toml", ws.config_path)
    ws.reload_config()
    do_import(ws, ORG / "conversation.csv")
    return ws


def test_channel_figures(conv):
    data = P.channels(conv, "2024-03-31")
    assert str(data["since"]) == "2024-01-01"
    blog, social = data["channels"]
    assert (blog["channel"], social["channel"]) == ("blog", "social")
    assert (blog["presence_weeks"], blog["publications"]) == (2, 2)
    # longest gap: from the window's start to p1 = 60.375 days; silent since p2: 21.625 days
    assert (blog["longest_silence_days"], blog["silent_for_days"]) == (60.4, 21.6)
    # r1, r2 (staff), r3 answer; r4 comes after the week: 3 replies for 2 posts
    assert (blog["org_replies"], blog["org_posts"], blog["dialogue_ratio"]) == (3, 2, 1.5)
    # threads p1, p2, q1; only p1 has a member's comment and a reply to a reply (c3, r1 answer c1)
    assert (blog["threads"], blog["deep_threads"], blog["depth_pct"]) == (3, 1, 33.3)
    # community acts: c1 c2 c3 c5 c6 c10 q1 c8 c9 c7 (not the bot, not the pingback), by 4 people
    assert (blog["community_acts"], blog["people"]) == (10, 4)
    assert (blog["trend_pct"], blog["quiet"]) == (None, False)
    assert (social["presence_weeks"], social["longest_silence_days"], social["silent_for_days"]) == (0, 91.0, None)
    assert social["dialogue_ratio"] is None and social["org_replies"] == 1


def test_a_channel_going_quiet_is_flagged(conv):
    # next quarter: we publish nothing and the community falls from 10 acts to 0
    data = P.channels(conv, "2024-06-30")
    blog = data["channels"][0]
    assert blog["flags"] == ["silent", "falling"] and blog["quiet"]
    assert (blog["community_acts_prev"], blog["community_acts"], blog["trend_pct"]) == (10, 0, -100.0)
    assert blog["silent_for_days"] == 112.6
    # two quarters later nothing is active any more: only --all lists the channels
    assert P.channels(conv, "2024-12-31")["channels"] == []
    assert [c["channel"] for c in P.channels(conv, "2024-12-31", all_channels=True)["channels"]] == ["blog", "social"]


def test_cli_channels(cli, tmp_path):
    shutil.copy(ORG / "lien.toml", tmp_path / "lien.toml")
    cli("import", ORG / "conversation.csv")
    code, o, _ = cli("channels", "--as-of", "2024-03-31", "--json")
    assert code == 0 and json.loads(o)["channels"][0]["dialogue_ratio"] == 1.5
    code, o, _ = cli("--lang", "fr", "channels", "--as-of", "2024-06-30")
    assert code == 0 and "Canaux" in o and "2/13" not in o and "0/13" in o
