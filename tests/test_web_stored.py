"""The tables the import hooks keep for the dashboard (reply items, thread starts, event facts):
made by an import, the same figures as computing from the acts, and left aside when the data
changed without a hook running (tests/data/org fixtures, the hand-derived figures of
test_org_responsiveness.py and test_org_events.py)."""
from __future__ import annotations

import shutil
from datetime import date, timedelta

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


# ---------------------------------------------------------------------------------------------
# results stored for the data as it is (sqlcache.stored): the week page's lists, the goals'
# indicators. Read back, they are the library's answers; any change of the data makes them again.

def _demo(web_demo, tmp_path):
    pytest.importorskip("fastapi")
    from test_web_pages import client_for

    for name in ("lien.duckdb", "lien.toml"):
        shutil.copy(web_demo / name, tmp_path / name)
    w, c = client_for(tmp_path)
    from lien.metrics import goals

    goals.add_defaults(w, deadline="2026-12-31")
    return w, c


def _pages(w, c, fresh=False):
    """The twins of the pages that store results, computed again (the page cache emptied), from
    the stored results, or (``fresh``) with none stored."""
    from test_web_pages import api

    out = {}
    for p in ("/", "/goals", "/inbox", "/events", "/channels", "/channels?all=1"):
        if fresh:
            w.con.execute("DROP TABLE IF EXISTS stored_results")
        c.app.state.cache.clear()
        out[p] = api(c, p)
    return out


def test_stored_parts_are_the_library_answers(web_demo, tmp_path):
    from test_web_pages import jsonable

    from lien.metrics import goals
    from lien.metrics.cooling import cooling
    from lien.metrics.levels import levels
    from lien.metrics.persons import people
    from lien.metrics.responsiveness import inbox

    w, c = _demo(web_demo, tmp_path)
    try:
        first = _pages(w, c, fresh=True)
        again = _pages(w, c)
        assert again == first
        # the week's lists and the 14 goals' indicators are stored (several goals share one)
        keys = [r["key"] for r in w.rows("SELECT key FROM stored_results")]
        assert all(any(name in k for k in keys) for name in ("week.cooling", "goals.pres", "inbox.page",
                                                             "events.page", "channels.page"))
        w.con.execute("DROP TABLE stored_results")
        week = first["/"]
        assert len(week["goals"]) == 14 and week["goals"] == jsonable(goals.check(w)["goals"])
        assert week["levels"] == jsonable(levels(w, months=12)["months"])
        assert week["reconnect"] == jsonable(cooling(w, limit=8)["cooling"])
        assert week["invite"]["people"] == jsonable(people(w, tag="online-only", role="community", limit=8)["people"])
        assert week["answer"]["total"] == inbox(w, None, limit=1)["total"]
        since = date.fromisoformat(week["as_of"]) - timedelta(days=week["answer"]["days"] - 1)
        assert week["answer"]["items"] == jsonable(inbox(w, None, since=since, limit=5)["items"])
        assert again["/goals"] == _pages(w, c, fresh=True)["/goals"]
    finally:
        w.close()


def test_stored_parts_follow_every_change(web_demo, tmp_path):
    import json

    from lien.identity.decisions import merge
    from lien.metrics.snapshots import score
    from lien.metrics.sqlcache import data_version

    w, c = _demo(web_demo, tmp_path)
    try:
        before = _pages(w, c)
        assert _pages(w, c) == before  # read back: nothing changed
        seen = {data_version(w)}

        def changed(what):
            v = data_version(w)
            assert v not in seen, what
            seen.add(v)
            now = _pages(w, c)
            assert now == _pages(w, c, fresh=True), what  # what the page shows is the data now
            return now

        # an import: a new message to us is in the week's inbox
        f = tmp_path / "new.jsonl"
        f.write_text(json.dumps({"id": "n1", "kind": "message", "ts": "2026-11-13T10:00:00",
                                 "actor": "nouvelle@exemple.fr", "actor_name": "Nouvelle Personne",
                                 "channel": "mail:contact", "target": "contact@reparlien.example",
                                 "text": "Bonjour, comment adhérer ?"}) + "\n", encoding="utf-8")
        do_import(w, f, format="jsonl")
        after = changed("import")
        assert after["/"]["answer"]["total"] == before["/"]["answer"]["total"] + 1
        # a re-score (the snapshots rewritten)
        score(w, full=True)
        changed("re-score")
        # a setting of lien.toml: the 24-hour target becomes 1 hour (R1-24h)
        toml = w.config_path.read_text(encoding="utf-8")
        w.config_path.write_text(toml + "\n[model.response]\ntarget_hours = 1\n", encoding="utf-8")
        w.reload_config()
        cfg = changed("settings")

        def r1_24h(pages):
            return [g["value"] for g in pages["/goals"]["goals"] if g["metric"] == "R1-24h"]
        assert r1_24h(cfg) != r1_24h(after)
        # an identity merge (Camille Rousseau's two addresses)
        a, b = (r["person_id"] for r in w.rows(
            "SELECT DISTINCT person_id FROM identities WHERE display_name = 'Camille Rousseau' ORDER BY 1"))
        merge(w, a, b)
        changed("merge")
        # an act removed behind the hooks' back
        w.con.execute("DELETE FROM activities WHERE id = (SELECT max(id) FROM activities WHERE kind = 'comment')")
        changed("delete")
        # a goal edit changes the goals, not the data: the indicators are read back
        token = (c.get("/"), c.cookies.get("lien_csrf"))[1]
        gid = cfg["/goals"]["goals"][0]["id"]
        r = c.post(f"/api/goals/{gid}/edit", json={"target": "12"}, headers={"x-csrf-token": token})
        assert r.status_code == 200
        assert [g["target"] for g in _pages(w, c)["/goals"]["goals"] if g["id"] == gid] == [12.0]
        assert _pages(w, c) == _pages(w, c, fresh=True)
    finally:
        w.close()


def test_a_forget_drops_the_stored_results(web_demo, tmp_path):
    from lien.identity.forget import forget

    w, c = _demo(web_demo, tmp_path)
    try:
        _pages(w, c)
        assert w.scalar("SELECT count(*) FROM stored_results") > 0
        pid = w.scalar("SELECT min(person_id) FROM identities WHERE display_name = 'Camille Rousseau'")
        forget(w, pid)
        assert not w.scalar("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'stored_results'")
    finally:
        w.close()
