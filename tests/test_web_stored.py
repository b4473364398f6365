"""The tables the import hooks keep for the dashboard (reply items, thread starts, event facts):
made by an import, the same figures as computing from the acts, and left aside when the data
changed without a hook running (tests/data/org fixtures, the hand-derived figures of
test_org_responsiveness.py and test_org_events.py)."""
from __future__ import annotations

import shutil

import pytest

from conftest import DATA, do_import
from lien.metrics import events as E
from lien.metrics import presence as P
from lien.metrics import responsiveness as R
from lien.metrics.sqlcache import shared

ORG = DATA / "org"
WEEKS = ("2024-01-14", "2024-03-31", "2024-06-30", "2024-12-29")


@pytest.fixture
def org(ws):
    shutil.copy(ORG / "lien.toml", ws.config_path)
    ws.reload_config()
    do_import(ws, ORG / "conversation.csv")
    do_import(ws, ORG / "events.csv", channel="club")
    return ws


def _figures(ws, week):
    with shared(ws):
        pid = ws.scalar("SELECT min(person_id) FROM identities")
        return (R.inbox(ws, week), R.inbox(ws, week, since="2024-02-01", limit=2), R.responsiveness(ws, week),
                R.unanswered_people(ws, week, min_items=1), R.dialogue(ws, pid, week),
                E.events(ws, week), E.events(ws, week, channel="club", limit=2),
                P.channels(ws, week, all_channels=True), P.overall(ws, week))


def _stale(ws):
    ws.con.execute("UPDATE meta SET value = 'stale' WHERE key IN ('reply_items', 'event_facts')")


def test_an_import_makes_them_and_they_give_the_same_figures(org):
    assert R.items_fresh(org) and E.facts_fresh(org)
    items = org.scalar("SELECT count(*) FROM reply_items")
    # every comment/reply/message/mention by a member addressed to us, whatever the week
    assert items == org.scalar("SELECT count(*) FROM (" + R.ibis_backend(org).compile(R._items(org, R._FAR)) + ")")
    stored = {w: _figures(org, w) for w in WEEKS}
    assert stored["2024-06-30"][5]["total_events"] == 6
    _stale(org)
    assert not R.items_fresh(org) and not E.facts_fresh(org)
    assert {w: _figures(org, w) for w in WEEKS} == stored
    # a second import of the same files changes nothing and makes them again
    do_import(org, ORG / "conversation.csv")
    assert R.items_fresh(org) and E.facts_fresh(org)
    assert org.scalar("SELECT count(*) FROM reply_items") == items
    assert {w: _figures(org, w) for w in WEEKS} == stored


def test_a_change_without_a_hook_is_noticed(org):
    before = _figures(org, "2024-06-30")
    # an act deleted behind the hooks' back: the stored tables no longer match, figures follow the acts
    org.con.execute("DELETE FROM activities WHERE id = (SELECT min(id) FROM activities WHERE kind = 'comment')")
    assert not R.items_fresh(org) and not E.facts_fresh(org)
    after = _figures(org, "2024-06-30")
    R.refresh_items(org)
    E.refresh_facts(org)
    assert R.items_fresh(org) and E.facts_fresh(org)
    assert _figures(org, "2024-06-30") == after
    assert after != before
    # a role changed (a member becomes staff): identities and people are in the fingerprint too
    org.con.execute("UPDATE people SET role = 'staff' WHERE id = (SELECT min(person_id) FROM identities "
                    "WHERE NOT is_org AND person_id IS NOT NULL)")
    assert not R.items_fresh(org)
