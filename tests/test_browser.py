"""The dashboard in a real Chromium (Debian's package, driven by Playwright with
executable_path; no browser download): click through every page, confirm a merge, create a
goal, switch language, check an imported <script> never runs; a screenshot of each page goes
to test-artifacts/ (look at them: they are what a person sees)."""
from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from conftest import HOSTILE

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent: run scripts/system-deps.sh "
                                                     "(apt-get install chromium) to run the browser tests"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(web_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """lien serve on a copy of the demo workspace, in a thread, on a free loopback port."""
    import uvicorn

    import lien
    from lien.web import create_app

    folder = tmp_path_factory.mktemp("browser")
    for name in ("lien.duckdb", "lien.toml"):
        shutil.copy(web_demo / name, folder / name)
    w = lien.open(folder / "lien.duckdb")
    app = create_app(w)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    th.join(10)
    w.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-GB")
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.errors = errors
    yield pg
    ctx.close()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_click_through_every_page(server: str, page: Any) -> None:
    page.goto(server + "/")
    assert page.locator("h1").first.inner_text() == "This week"
    for card in ("#answer", "#thank", "#invite", "#reconnect", "#goals", "#levels"):
        assert page.locator(card).is_visible()
    shot(page, "01-this-week")
    for i, (link, heading) in enumerate([("People", "People"), ("Inbox", "Inbox"), ("Channels", "Channels"),
                                         ("Events", "Events"), ("Goals", "Goals"), ("Identities", "Identities"),
                                         ("Settings", "Settings")], start=2):
        page.click(f"header nav >> text={link}")
        page.wait_for_load_state()
        assert page.locator("h1").first.inner_text() == heading
        shot(page, f"{i:02d}-{link.lower()}")
    # from the people list to one person
    page.click("header nav >> text=People")
    page.locator("table.people tbody tr td a").first.click()
    page.wait_for_load_state()
    assert page.locator("#score").is_visible() and page.locator("#timeline").is_visible()
    shot(page, "09-person")
    assert page.errors == []


def test_people_filters_and_sort(server: str, page: Any) -> None:
    page.goto(server + "/people")
    total = page.locator("table.people tbody tr").count()
    page.select_option("select[name=level]", "regular")   # submits on change (lien.js)
    page.wait_for_url("**level=regular**")
    rows = page.locator("table.people tbody tr")
    assert 0 < rows.count() < total
    assert all(t == "Regular" for t in page.locator("table.people tbody .badge").all_inner_texts())
    page.click("table.people thead >> text=Name")
    page.wait_for_url("**sort=name**")
    names = page.locator("table.people tbody tr td:first-child a").all_inner_texts()
    assert names == sorted(names, key=str.lower)


def test_imported_script_never_runs(server: str, page: Any) -> None:
    for path in ("/", "/inbox", "/people?q=Mallory"):
        page.goto(server + path)
        assert page.evaluate("window.__xss") is None
        if path != "/":
            assert HOSTILE["name"] in page.inner_text("main")      # the name, shown as text
    page.goto(server + "/inbox")
    body = page.inner_text("main")
    assert HOSTILE["shown"] in body                            # <script> shown as text
    page.get_by_role("link", name=HOSTILE["name"]).first.click()   # the hostile author's page
    page.wait_for_load_state()
    assert page.evaluate("window.__xss") is None
    assert page.locator("a[href^='javascript:']").count() == 0
    shot(page, "10-hostile-person")
    assert page.errors == []


def test_switch_language(server: str, page: Any) -> None:
    page.goto(server + "/")
    page.click("#lang-fr")
    page.wait_for_load_state()
    assert page.locator("h1").first.inner_text() == "Cette semaine"
    assert page.locator("header nav").inner_text().startswith("Cette semaine")
    shot(page, "11-cette-semaine")
    page.click("header nav >> text=Personnes")           # the choice sticks (a cookie)
    assert page.locator("h1").first.inner_text() == "Personnes"
    page.click("#lang-en")
    assert page.locator("h1").first.inner_text() == "People"


def test_create_and_edit_a_goal(server: str, page: Any) -> None:
    page.set_default_timeout(180_000)      # adding a goal measures its baseline and six months of history
    page.goto(server + "/goals")
    before = page.locator("section.goal").count()
    page.select_option("#goal-metric", "R1")
    page.fill("#goal-target", "95")
    page.fill("input[name=deadline] >> nth=-1", "2026-12-31")
    page.click("#goal-add")
    page.wait_for_url("**/goals")
    goals = page.locator("section.goal")
    assert goals.count() == before + 1
    new = goals.last
    assert "Response coverage ≤ 72 h" in new.inner_text()
    assert new.locator("svg.chart").count() == 1
    new.locator("summary").click()
    new.locator("input[name=target]").fill("90")
    new.locator("text=Save").click()
    page.wait_for_url("**/goals")
    assert ">= 90" in page.locator("section.goal").last.inner_text()
    shot(page, "12-goal-created")
    page.goto(server + "/")
    assert "Response coverage ≤ 72 h" in page.inner_text("#goals")


def test_confirm_a_merge_suggestion(server: str, page: Any) -> None:
    page.set_default_timeout(180_000)
    page.goto(server + "/identities")
    rows = page.locator("tr.suggestion", has_text="camille.rousseau@autre.example")
    assert rows.count() == 1                 # the demo's second address of Camille Rousseau
    n = page.locator("tr.suggestion").count()
    shot(page, "13-identities-suggestion")
    rows.first.locator("text=Same person").click()
    page.wait_for_url("**/identities")
    assert page.locator("tr.suggestion").count() == n - 1
    assert "merged" in page.inner_text("#decisions")
    shot(page, "14-merge-confirmed")
    page.locator("#decisions").get_by_role("link", name="person").first.click()
    assert "mail:contact" in page.inner_text("#accounts") and "Camille Rousseau" in page.inner_text("h1")


def test_an_action_is_sent_once_and_says_it_is_working(server: str, page: Any) -> None:
    """A merge re-scores the community (seconds on a large one): its buttons wait and say so,
    and a second click sends nothing."""
    page.set_default_timeout(180_000)
    page.goto(server + "/identities")
    n = page.locator("tr.suggestion").count()
    merges = page.locator("#decisions tbody tr", has_text="merged").count()
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    form = page.locator("tr.suggestion").first.locator("form[action='/identities/merge']")
    pair = (form.locator("input[name=a]").get_attribute("value"), form.locator("input[name=b]").get_attribute("value"))
    with page.expect_navigation():
        state = form.evaluate("""f => {
            f.requestSubmit();
            const s = {note: (f.querySelector('.busy-note') || {}).textContent,
                       disabled: [...f.querySelectorAll('button')].every(b => b.disabled)};
            setTimeout(() => f.requestSubmit(), 100);   // a second click, while the merge runs
            return s;
        }""")
    page.wait_for_load_state()
    assert state == {"note": "Working: lien brings the accounts together and computes the scores again "
                             "(on a large community this takes a while).", "disabled": True}
    assert len(posts) == 1 and posts[0].endswith("/identities/merge")
    assert page.locator("h1").first.inner_text() == "Identities"
    left = [(f.locator("input[name=a]").get_attribute("value"), f.locator("input[name=b]").get_attribute("value"))
            for f in page.locator("form[action='/identities/merge']").all()]
    assert pair not in left and len(left) < n    # other pairs of the same two people go with it
    assert page.locator("#decisions tbody tr", has_text="merged").count() == merges + 1
    assert page.errors == []
