"""Every dashboard page and its JSON twin, in-process over HTTP, on the demo workspace and on a
workspace built from real files: the JSON twin is the library's own answer, the page shows it."""
from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Iterator

import pytest

import lien
from conftest import HOSTILE, do_import

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from lien.web import create_app  # noqa: E402

NAV = ["/", "/people", "/inbox", "/channels", "/events", "/goals", "/identities", "/settings"]


def client_for(folder: Path) -> tuple[Any, TestClient]:
    w = lien.open(folder / "lien.duckdb")
    return w, TestClient(create_app(w), base_url="http://127.0.0.1:8765")


@pytest.fixture(scope="module")
def demo(web_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, TestClient]]:
    folder = tmp_path_factory.mktemp("pages")
    for name in ("lien.duckdb", "lien.toml"):
        shutil.copy(web_demo / name, folder / name)
    w, c = client_for(folder)
    yield w, c
    w.close()


def api(c: TestClient, path: str) -> Any:
    r = c.get("/api" + (path if path != "/" else "/week"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    return r.json()


def jsonable(x: Any) -> Any:
    """A library result as its JSON twin shows it."""
    import orjson

    from lien.web.app import json_bytes

    return orjson.loads(json_bytes(x))


@pytest.mark.parametrize("path", NAV)
def test_every_page_and_its_twin(demo: Any, path: str) -> None:
    w, c = demo
    r = c.get(path)
    assert r.status_code == 200, r.text[:2000]
    assert r.headers["content-type"].startswith("text/html")
    assert "<h1>" in r.text and "/static/lien.css" in r.text
    d = api(c, path)
    assert d["as_of"] if "as_of" in d else True


def test_twins_are_the_library_answers(demo: Any) -> None:
    from lien.metrics.cooling import cooling
    from lien.metrics.events import events
    from lien.metrics.levels import levels
    from lien.metrics.persons import people
    from lien.metrics.presence import channels
    from lien.metrics.responsiveness import inbox, responsiveness

    w, c = demo
    box = inbox(w, None, limit=100)
    d = api(c, "/inbox")
    assert d["total"] == box["total"] > 0 and d["items"] == jsonable(box["items"])
    assert d["responsiveness"] == jsonable(responsiveness(w, box["as_of"], months=12))
    p = people(w, limit=None)["people"]
    d = api(c, "/people")
    assert d["total"] == len(p) and d["people"] == jsonable(p[:100])
    assert [x["channel"] for x in api(c, "/channels")["channels"]] == [x["channel"] for x in channels(w)["channels"]]
    ev = events(w, limit=24)
    d = api(c, "/events")
    assert d["events"] == jsonable(ev["events"]) and d["total_events"] == ev["total_events"]
    week = api(c, "/")
    assert week["levels"] == jsonable(levels(w, months=12)["months"])
    assert week["reconnect"] == jsonable(cooling(w, limit=8)["cooling"])
    assert week["reconnect_total"] == cooling(w)["total"]
    assert week["answer"]["total"] == box["total"]


def test_week_page_lists_what_to_do(demo: Any) -> None:
    w, c = demo
    d = api(c, "/")
    html = c.get("/").text
    # every listed person appears, linked to their page
    for who in [*d["answer"]["items"], *d["thank"], *d["invite"]["people"], *d["reconnect"]]:
        pid = who["person_id"]
        assert f'href="/person/{pid}"' in html
    assert all(p["role"] == "community" and "online-only" in p["tags"] for p in d["invite"]["people"])
    assert d["invite"]["next_event"]["name"] == "Atelier vélo : entretien et petites réparations"
    assert d["thank"] and all(a["level"] == "standard_bearer" or "prescriber" in a["tags"] for a in d["thank"])
    assert len(d["levels"]) == 12 and html.count("<svg") >= 1


def test_week_page_counts_everyone_not_just_the_shown(demo: Any) -> None:
    """Each list's number is how many people it concerns (counted here straight from
    score_weeks), not how many fit on the card; the rest are one click away."""
    w, c = demo
    d = api(c, "/")
    monday = d["as_of"][:10]

    def count(tag: str) -> int:
        return w.scalar("""SELECT count(*) FROM score_weeks WHERE week = ?::DATE - 6 AND role = 'community'
                           AND list_contains(tags, ?)""", [monday, tag])

    online, drifting = count("online-only"), count("cooling")
    assert d["invite"]["total"] == online and d["reconnect_total"] == drifting
    assert len(d["invite"]["people"]) == min(online, 8) and len(d["reconnect"]) == min(drifting, 8)
    assert drifting > 8  # the demo has more people drifting than the card shows
    html = c.get("/").text
    assert f'<span class="num">{drifting}</span>' in html
    assert f"All {drifting}, in People" in html and 'href="/people?tag=cooling&amp;role=community"' in html
    linked = api(c, "/people?tag=cooling&role=community")
    assert linked["total"] == drifting and {p["role"] for p in linked["people"]} == {"community"}
    assert d["thank_total"] >= len(d["thank"])
    assert c.get("/api/people?role=nobody").status_code == 400


def test_person_page(demo: Any) -> None:
    from lien.metrics.persons import person

    w, c = demo
    pid = w.rows("SELECT person_id FROM score_weeks WHERE role = 'community' ORDER BY week DESC, pes DESC LIMIT 1")[0][
        "person_id"]
    d = api(c, f"/person/{pid}")
    assert d["person"] == jsonable(person(w, pid))
    assert d["timeline"]["acts"] and all(a["kind"] not in ("like", "share", "follow") for a in d["timeline"]["acts"])
    html = c.get(f"/person/{pid}").text
    assert d["person"]["name"] in html and "Where the score comes from" in html
    light = api(c, f"/person/{pid}?light=1")["timeline"]
    assert light["total"] == d["timeline"]["total"] + d["timeline"]["light"]
    r = c.get("/api/person/nobody-like-this")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_people_filters(demo: Any) -> None:
    w, c = demo
    all_ = api(c, "/people")
    reg = api(c, "/people?level=regular")
    assert 0 < reg["total"] < all_["total"] and {p["level"] for p in reg["people"]} == {"regular"}
    byname = api(c, "/people?sort=name")["people"]
    assert [p["name"].lower() for p in byname] == sorted(p["name"].lower() for p in byname)
    found = api(c, "/people?q=mallory")
    assert [p["name"] for p in found["people"]] == [HOSTILE["name"]]
    import unicodedata

    from lien.metrics.persons import people

    def fold(x: str) -> str:
        return unicodedata.normalize("NFKD", x).encode("ascii", "ignore").decode().lower()

    emile = [p["name"] for p in people(w, limit=None)["people"] if "emile" in fold(p["name"])]
    assert [p["name"] for p in api(c, "/people?q=EMILE")["people"]] == emile and emile
    # the search, the sort and the page are made in SQL: the rows are those of the whole list
    byname_all = [p["person_id"] for p in people(w, sort="name", limit=None)["people"]]
    page = api(c, "/people?sort=name&offset=3")
    assert page["total"] == len(byname_all) and [p["person_id"] for p in page["people"]] == byname_all[3:103]
    past = api(c, f"/people?offset={len(byname_all) + 5}")
    assert past["total"] == len(byname_all) and past["people"] == []
    seen = w.scalar("""SELECT max(a.ts) FROM activities a JOIN identities i ON i.id = a.identity_id
                       WHERE i.person_id = ?""", [found["people"][0]["person_id"]])
    assert found["people"][0]["last_seen"] == seen.isoformat()
    assert api(c, "/people?q=%C3%89MILE")["people"] == api(c, "/people?q=emile")["people"]
    chan = api(c, "/people?channel=mail:contact")
    assert sorted(p["name"] for p in chan["people"]) == ["Camille Rousseau", HOSTILE["name"]]


def test_french(demo: Any) -> None:
    w, c = demo
    r = c.get("/", headers={"accept-language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert "<h1>Cette semaine</h1>" in r.text and 'lang="fr"' in r.text
    r = c.get("/people?lang=fr", headers={"accept-language": "en"})
    assert "<h1>Personnes</h1>" in r.text and r.cookies.get("lien_lang") == "fr"
    c.cookies.clear()
    assert "<h1>People</h1>" in c.get("/people", headers={"accept-language": "de, en;q=0.8"}).text


def test_identities_page_offers_the_duplicate(demo: Any) -> None:
    w, c = demo
    d = api(c, "/identities")
    assert d["suggestions_available"]
    pairs = [(s["a_name"], s["b_name"]) for s in d["suggestions"]]
    assert ("Camille Rousseau", "Camille Rousseau") in pairs
    html = c.get("/identities").text
    assert html.count('action="/identities/merge"') == len(d["suggestions"])


def test_goal_create_edit_remove(web_demo: Path, tmp_path: Path) -> None:
    for name in ("lien.duckdb", "lien.toml"):
        shutil.copy(web_demo / name, tmp_path / name)
    w, c = client_for(tmp_path)
    try:
        c.get("/")
        token = c.cookies.get("lien_csrf")
        r = c.post("/goals/add", data={"csrf": token, "metric": "R1", "target": "95", "deadline": "2026-12-31"},
                   follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/goals"
        g = api(c, "/goals")["goals"]
        assert [(x["metric"], x["target"], x["deadline"]) for x in g] == [("R1", 95.0, "2026-12-31")]
        assert [h["week"] for h in g[0]["history"]] == ["2026-06-28", "2026-07-26", "2026-08-30", "2026-09-27",
                                                        "2026-10-25", "2026-11-15"]
        assert g[0]["verdict"] in ("on_track", "at_risk")
        gid = g[0]["id"]
        r = c.post(f"/api/goals/{gid}/edit", json={"target": "90", "note": "a <b>note</b>"},
                   headers={"x-csrf-token": token})
        assert r.status_code == 200 and r.json()["goal"]["target"] == 90.0
        assert "a &lt;b&gt;note&lt;/b&gt;" in c.get("/goals").text
        assert [x["metric"] for x in api(c, "/")["goals"]] == ["R1"]
        r = c.post(f"/api/goals/{gid}/remove", json={}, headers={"x-csrf-token": token})
        assert r.json() == {"removed": gid, "redirect": "/goals"}
        assert api(c, "/goals")["goals"] == []
        r = c.post("/api/goals/add", json={"metric": "Z9"}, headers={"x-csrf-token": token})
        assert r.status_code == 400 and r.json()["error"]["code"] == "usage" and "Z9" in r.json()["error"]["message"]
    finally:
        w.close()


def test_pages_are_built_again_after_an_action(web_demo: Path, tmp_path: Path) -> None:
    """As `lien serve` runs it: after an action the navigation pages are rebuilt in the background;
    what they then serve is the data after the action, the same as a page computed afresh."""
    import threading

    for name in ("lien.duckdb", "lien.toml"):
        shutil.copy(web_demo / name, tmp_path / name)
    w, c = client_for(tmp_path)
    app = c.app
    app.state.warm_after_actions = True
    try:
        assert api(c, "/goals")["goals"] == []
        token = c.cookies.get("lien_csrf")
        r = c.post("/api/goals/add", json={"metric": "R1", "target": "95", "deadline": "2026-12-31"},
                   headers={"x-csrf-token": token})
        assert r.status_code == 200
        for t in [t for t in threading.enumerate() if t.name == "lien-warm"]:
            t.join(120)
        names = {k[0] for k in app.state.cache.data}
        assert {"week", "people", "inbox", "channels", "events", "goals", "identities", "settings"} <= names
        warmed = {p: c.get("/api" + p).content for p in ("/week", "/goals")}
        assert [g["metric"] for g in api(c, "/goals")["goals"]] == ["R1"]  # built after the goal was added
        app.state.cache.clear()
        assert {p: c.get("/api" + p).content for p in ("/week", "/goals")} == warmed
    finally:
        for t in [t for t in threading.enumerate() if t.name == "lien-warm"]:
            t.join(120)
        w.close()


# ---------------------------------------------------------------------------------------------
# real files

def _blog_logins(path: Path) -> list[str]:
    wp = "{http://wordpress.org/export/1.2/}"
    return [a.findtext(f"{wp}author_login") for a in ET.parse(path).getroot().iter(f"{wp}author")]


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, TestClient]]:
    from conftest import SHARED as shared

    if not shared.is_dir():
        pytest.skip(f"real data folder {shared} is absent")
    folder = tmp_path_factory.mktemp("real")
    blog = shared / "wxr-cc-labs" / "wordpress.xml"
    (folder / "lien.toml").write_text("[organisation]\nname = \"CC Labs\"\nidentities = ["
                                      + ", ".join(f'"{x}"' for x in _blog_logins(blog)) + "]\n", encoding="utf-8")
    w = lien.open(folder / "lien.duckdb")
    do_import(w, blog)
    do_import(w, shared / "perceval-tests" / "meetup" / "meetup_events.json")
    c = TestClient(create_app(w), base_url="http://127.0.0.1:8765")
    yield w, c
    w.close()


@pytest.mark.realdata
def test_real_files_every_page(real: Any) -> None:
    from lien.metrics.responsiveness import inbox

    w, c = real
    for path in NAV:
        r = c.get(path)
        assert r.status_code == 200, (path, r.text[:1500])
        api(c, path)
    d = api(c, "/inbox")
    assert d["total"] == inbox(w, None)["total"]
    ev = api(c, "/events")
    assert ev["total_events"] == 2       # meetup_events.json: 2 past events (data README)
    ch = {x["channel"] for x in api(c, "/channels?all=1")["channels"]}
    assert any(x.startswith("blog:") for x in ch) and any(x.startswith("meetup:") for x in ch)
    pid = api(c, "/people?sort=pes")["people"][0]["person_id"]
    assert c.get(f"/person/{pid}").status_code == 200


def test_how_long_ago_reads_as_a_person_would_say_it() -> None:
    from datetime import date, datetime

    from lien.web import messages  # noqa: F401  (registers the words)
    from lien.web.pages import days_ago

    today = date(2026, 12, 3)
    said = {n: days_ago(date.fromordinal(today.toordinal() - n), today) for n in (0, 1, 2, 13, 14, 69, 70, 400)}
    assert said == {0: "today", 1: "yesterday", 2: "2 days ago", 13: "13 days ago", 14: "2 weeks ago",
                    69: "9 weeks ago", 70: "2 months ago", 400: "13 months ago"}
    assert days_ago(datetime(2026, 12, 2, 23, 59), today, "fr") == "hier"
    assert days_ago(None, today) == ""


def test_inbox_by_when_it_came_in(demo: Any) -> None:
    """The inbox lists everything that waits, oldest first; 'the last 28 days' is the week
    page's 'to answer' (same count), 'the last 90 days' in between. Expected from the whole
    inbox, filtered here by date."""
    from datetime import date, timedelta

    from lien.metrics.responsiveness import inbox

    w, c = demo
    d = api(c, "/inbox")
    week = date.fromisoformat(d["as_of"][:10])
    waiting = inbox(w, week)["items"]
    came = [date.fromisoformat(str(i["ts"])[:10]) for i in waiting]

    def since(n: int) -> int:
        return sum(1 for x in came if x >= week - timedelta(days=n - 1))

    assert d["periods"] == [{"days": 28, "n": since(28)}, {"days": 90, "n": since(90)}, {"days": None, "n": len(waiting)}]
    assert 0 < since(28) < since(90) < len(waiting)
    recent = api(c, "/inbox?days=28")
    assert recent["total"] == since(28) == api(c, "/")["answer"]["recent"]
    assert [i["id"] for i in recent["items"]] == [i["id"] for i, x in zip(waiting, came) if x >= week - timedelta(days=27)]
    assert api(c, "/inbox?days=7")["periods"][0] == {"days": 7, "n": since(7)}
    html = c.get("/inbox?days=28").text
    assert f"Waiting for our reply, from the last 28 days ({since(28)})" in html
    assert f'<a href="/inbox?days=90">the last 90 days ({since(90)})</a>' in html
    assert f'href="/inbox">any time ({len(waiting)})</a>' in html
    assert 'href="/inbox?days=28"' in c.get("/").text
    assert c.get("/api/inbox?days=soon").status_code == 400


def test_a_new_workspace_says_how_to_begin(demo: Any, tmp_path: Path) -> None:
    """Before any import, This week says what to do first (every page still answers); once
    there are acts, the to-do lists take its place."""
    w, c = client_for(tmp_path)
    try:
        d = api(c, "/")
        assert d["empty"] is True
        html = c.get("/").text
        assert "Nothing imported yet" in html and "lien import" in html and 'id="answer"' not in html
        assert "Rien d'importé pour l'instant" in c.get("/?lang=fr").text.replace("&#39;", "'")
        for path in NAV[1:]:
            assert c.get(path).status_code == 200, path
        assert c.get("/person/nobody").status_code == 404
    finally:
        w.close()
    dw, dc = demo
    assert api(dc, "/")["empty"] is False and "Nothing imported yet" not in dc.get("/").text
