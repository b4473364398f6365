"""Dashboard latency: every page of `lien serve` (and its JSON twin) on a 1M-activity workspace.

    python bench/web_bench.py                 # 1,000,000 acts (two years, Zipf people; bench/score.py's data)
    python bench/web_bench.py --acts 200000
    python bench/web_bench.py --quick         # 100,000 acts, fewer requests

The workspace is generated once into bench/out/ (kept for the next run), scored, then each page is
requested in-process over HTTP (the ASGI app through httpx, as a browser's request would go
through uvicorn, minus the socket):

- **first**: the page cache emptied and the stored results (``stored_results``, lien.metrics.sqlcache)
  dropped before every request: the library calls, the template and the JSON, every time (the
  first visit after an import, a merge, a new score or a change of lien.toml);
- **computed**: the page cache emptied, the stored results kept: a page built again while the data
  has not changed (after a goal edit, in the other language, after a restart; a person page or a
  filtered list, which store nothing, as in **first**);
- **served**: the cache kept: what a person clicking around gets while the data does not change
  (while `lien serve` runs it holds the workspace, so only its own actions change the data, and
  each of them empties the cache).

Prints p50 and p95 per page in milliseconds and whether p95 meets the target (200 ms).
Before measuring, the workspace gets the 14 goals `lien goals add --defaults` proposes (once)
and the tables the import hooks keep are recomputed from scratch (their time is printed: that is
what an import now pays on top of scoring). ``--ab`` measures computed pages twice, interleaved:
with those tables, and with them marked stale (the figures then come from the acts, as before
the tables existed): a ratio measured in one run, under one machine load.

Earlier sessions (2026-11-22, 2026-12-02 morning) took the computed pages from seconds to
0.1-0.4 s: the tables the import hooks keep (reply items, thread starts, event facts), cooling and
levels counted in SQL, identity suggestions stored, dialogue/ties/events compiled once per process
(their figures are in git history, `git log -p bench/web_bench.py`).

Measured 2026-12-02 afternoon on the 2-core machine, 1M acts, 10k people, 14 goals, 10 requests per
page and mode, while three other engineers' benchmarks and test suites ran (load average 3.4-7:
absolute times inflated 2-5x, and p95 of 10 requests is the slowest of them). Three runs of the
start-of-session code (a `git archive` of 47dad49) alternating with three of the changed code;
ms, p50 (p95), old runs 1 / 2 / 3 -> new runs 1 / 2 / 3:

computed (old: the only computed path; new: stored results read back):
  /             1619 (3202) / 950 (2766) / 1192 (1715) -> 65 (102) / 137 (198) / 32 (128)
  /api/week     1746 (2548) / 1961 (2187) / 1249 (1734) -> 100 (131) / 45 (114) / 40 (59)
  /goals        1434 (1840) / 1950 (2113) / 450 (540)  -> 40 (52) / 22 (25) / 25 (33)
  /api/goals    1605 (1900) / 1500 (1922) / 558 (621)  -> 48 (95) / 26 (34) / 32 (48)
  /inbox        708 (913) / 420 (593) / 255 (353)      -> 48 (98) / 95 (113) / 34 (43)
  /api/inbox    370 (394) / 631 (759) / 157 (192)      -> 45 (75) / 64 (76) / 24 (27)
  /channels     862 (1965) / 1265 (3436) / 320 (791)   -> 111 (133) / 99 (122) / 87 (94)
  /api/channels 812 (901) / 841 (1317) / 258 (398)     -> 147 (198) / 61 (78) / 62 (86)
  /events       439 (677) / 835 (1357) / 178 (267)     -> 34 (46) / 21 (24) / 20 (25)
  /api/events   431 (856) / 593 (756) / 192 (233)      -> 34 (59) / 16 (18) / 23 (26)
  /person/p1    621 (1871) / 556 (1753) / 321 (705)    -> 414 (534) / 484 (668) / 257 (299)
  /api/person   1076 (1259) / 641 (681) / 394 (629)    -> 444 (563) / 541 (660) / 226 (297)
  /people       239 (480) / 333 (540) / 93 (191)       -> 309 (550) / 199 (396) / 187 (446)
  /api/people   228 (423) / 268 (488) / 125 (237)      -> 342 (692) / 189 (410) / 145 (240)
  /people?q=…   381 (793) / 235 (417) / 125 (272)      -> 355 (815) / 170 (358) / 160 (278)
  /api/people?q=… 322 (946) / 348 (490) / 155 (240)    -> 277 (698) / 255 (365) / 142 (274)
  /people?level=regular&sort=name 96-194 (p95 181-348) -> 92-221 (195-478), its twin 61-183 (121-248)
  -> 88-130 (181-461); identities 33-79 (p95 44-604) and settings 46-123 (p95 58-322) in both
  (code unchanged: noise).
first (new code, nothing stored: the old computed work plus writing the results), runs 1 / 2 / 3:
  / 2571 (4900) / 3323 (3872) / 804 (1522), /api/week 1540 (1727) / 3421 (4048) / 798 (2049),
  /goals 990 / 282 / 351, /api/goals 908 / 305 / 780, inbox 176-403, channels 274-618, events
  152-395, person 236-642, people 123-444 (p50). Interleaved in one process at load 3.5 (the week
  view, 3 builds each, twice): old 1254-1543 and 960-1582 ms, new first 1153-1436 and 665-745 ms:
  not slower.
served: worst p95 of a run 304 / 90 / 145 ms (old) -> 146 / 89 / 44 (new); p50 3-38 ms in all.
warming the navigation pages: old 7706 / 5772 / 2384 ms wall -> new 840 / 389 / 634 (the stored
results read back; after an import the warming computes, as **first**).

What changed: (1) results stored in the workspace for the data version (sqlcache.stored: acts,
identities, people and events fingerprint, the last scoring run, lien.toml as read, the day, the
code; and the language): the goals' indicators (goals._once) and the week, inbox, events and
channels pages' library answers; (2) sqlcache's compiled texts kept on disk (LIEN_CACHE_DIR or
~/.cache/lien): the person page's p95 was its first request in the process compiling dialogue's and
ties' queries (1065 and 567 ms on a first call, 148 and 297 with the texts on disk); (3) the person
timeline selected, counted and cut in SQL (was 5,000 acts fetched into Python); (4) the channels
page's monthly counts compiled once (was built and compiled on every visit).

Met (computed, stored): week, goals, inbox, channels, events, HTML and JSON, p95 < 200 ms in every
new run, under this load; identities and settings (unchanged) too but once (/identities 225). Not met: the person page (p50 226-541, p95 297-668
under load 3.7-7; ~180-200 ms p50 at load 4 from the view itself: five per-person queries of
25-70 ms, each scanning the million acts for the person's identities: person facts, timeline,
ties, dialogue, identities, nothing stored since a person page is one of 10k); the people list
(/people p50 145-342, p95 240-692: people(limit=None) computes last_seen for all 10k people and
the view filters q in Python; the list is not stored; code unchanged, old runs 93-333 p50: noise); the first build after a change (week ~0.8-3.4 s under load): storing the week's
parts at the end of scoring would move that cost into every import (not done).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
OUT = ROOT / "bench" / "out"
TARGET_MS = 200.0


def workspace(n: int) -> Path:
    import lien
    from lien.metrics.snapshots import score
    from score import generate

    path = OUT / f"web-{n}.duckdb"
    if path.exists():
        return path
    OUT.mkdir(exist_ok=True)
    tmp = path.with_suffix(".tmp.duckdb")
    tmp.unlink(missing_ok=True)
    Path(str(tmp) + ".wal").unlink(missing_ok=True)
    t = time.perf_counter()
    generate(str(tmp), n)
    print(f"generated {n:,} acts in {time.perf_counter() - t:.0f} s", flush=True)
    t = time.perf_counter()
    w = lien.open(tmp)
    score(w, full=True)
    w.close()
    print(f"scored in {time.perf_counter() - t:.0f} s", flush=True)
    tmp.rename(path)
    return path


def prepare(w) -> None:
    """The state an import leaves: the goals `lien goals add --defaults` proposes (once), and the
    tables the import hooks keep (reply items, event facts), recomputed here from scratch to
    show what they add to an import."""
    from lien.metrics import events, goals, responsiveness

    if not w.scalar("SELECT count(*) FROM goals"):
        goals.add_defaults(w)
    w.con.execute("DELETE FROM meta WHERE key IN ('reply_items', 'event_facts')")
    for name, fn in (("reply items", responsiveness.refresh_items), ("event facts", events.refresh_facts)):
        t = time.perf_counter()
        fn(w)
        print(f"import hook, {name}: {time.perf_counter() - t:.1f} s", flush=True)


def ab(w, app, c, pages: list[str], n: int) -> int:
    """Computed pages with the stored tables against the same pages from the acts, interleaved."""
    keys = ("reply_items", "event_facts")
    stored = {r["key"]: r["value"] for r in w.rows("SELECT key, value FROM meta WHERE key IN (?, ?)", list(keys))}
    print(f"\n{'page (computed)':38s} {'stored p50':>10s} {'p95':>7s} {'acts p50':>9s} {'p95':>7s} {'ratio p50':>9s}")
    try:
        for page in pages:
            t: dict[str, list[float]] = {"stored": [], "acts": []}
            for _ in range(n):
                for mode in ("stored", "acts"):
                    for k in keys:
                        w.con.execute("UPDATE meta SET value = ? WHERE key = ?",
                                      [stored.get(k) if mode == "stored" else "stale", k])
                    app.state.cache.clear()
                    w.con.execute("DROP TABLE IF EXISTS stored_results")  # both modes compute
                    t0 = time.perf_counter()
                    r = c.get(page)
                    t[mode].append((time.perf_counter() - t0) * 1000)
                    assert r.status_code == 200, (page, r.status_code)
            s50, a50 = statistics.median(t["stored"]), statistics.median(t["acts"])
            print(f"{page[:38]:38s} {s50:10.0f} {pct(t['stored'], .95):7.0f} {a50:9.0f} {pct(t['acts'], .95):7.0f} "
                  f"{a50 / s50:8.1f}x", flush=True)
    finally:
        for k in keys:
            w.con.execute("UPDATE meta SET value = ? WHERE key = ?", [stored.get(k), k])
    w.close()
    return 0


def pct(values: list[float], q: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, max(0, round(q * (len(v) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--acts", type=int, default=1_000_000)
    ap.add_argument("--requests", type=int, default=20, help="requests per page and mode")
    ap.add_argument("--quick", action="store_true", help="100k acts, 5 requests")
    ap.add_argument("--ab", action="store_true",
                    help="computed only, with the stored tables and from the acts (the tables marked stale), "
                         "requests interleaved so that both see the same machine load")
    a = ap.parse_args()
    if a.quick:
        a.acts, a.requests = 100_000, 5
    import warnings

    warnings.filterwarnings("ignore")
    import lien
    from fastapi.testclient import TestClient

    from lien.web import create_app

    path = workspace(a.acts)
    w = lien.open(path)
    prepare(w)
    acts = w.scalar("SELECT count(*) FROM activities")
    people = w.scalar("SELECT count(*) FROM people")
    app = create_app(w)
    c = TestClient(app, base_url="http://127.0.0.1:8765", raise_server_exceptions=False)
    top = w.rows("""SELECT person_id FROM score_weeks WHERE week = (SELECT max(week) FROM score_weeks)
                    ORDER BY pes DESC LIMIT 1""")[0]["person_id"]
    pages = ["/", "/people", "/people?level=regular&sort=name", "/people?q=person 12", f"/person/{top}", "/inbox",
             "/channels", "/events", "/goals", "/identities", "/settings"]
    if a.ab:
        return ab(w, app, c, ["/api/week", f"/api/person/{top}", "/api/inbox", "/api/channels", "/api/events",
                              "/api/goals"], a.requests)
    from lien.metrics import sqlcache

    store = getattr(sqlcache, "STORE_TABLE", None)  # the results stored for the data as it is (2026-12-02)
    modes = (("first",) if store else ()) + ("computed", "served")
    print(f"\nworkspace {path.name}: {acts:,} acts, {people:,} people; {a.requests} requests per page and mode")
    head = f"{'first p50':>10s} {'p95':>6s} " if store else ""
    print(f"{'page':38s} {head}{'computed p50':>12s} {'p95':>8s} {'served p50':>11s} {'p95':>8s}  target p95 < {TARGET_MS:.0f} ms")
    worst = {m: 0.0 for m in modes}
    failed: list[str] = []
    for page in pages:
        for twin in (False, True):
            url = ("/api" + (page if page != "/" else "/week")) if twin else page
            res = {}
            for mode in modes:
                times = []
                for _ in range(a.requests):
                    if mode != "served":
                        app.state.cache.clear()
                    if mode == "first":  # the first computation after a change: nothing stored either
                        w.con.execute(f'DROP TABLE IF EXISTS "{store}"')
                    t = time.perf_counter()
                    r = c.get(url)
                    times.append((time.perf_counter() - t) * 1000)
                    if r.status_code != 200:
                        break
                if r.status_code != 200:
                    break
                res[mode] = (statistics.median(times), pct(times, 0.95))
                worst[mode] = max(worst[mode], res[mode][1])
            if r.status_code != 200:
                failed.append(url)
                err = r.json()["error"] if twin else {"message": f"HTTP {r.status_code}"}
                print(f"{url[:38]:38s} FAILED: {err['message'][:120]}", flush=True)
                continue
            ok = "ok" if res["served"][1] < TARGET_MS else "SLOW"
            okc = "ok" if res["computed"][1] < TARGET_MS else "slow"
            first = f"{res['first'][0]:10.0f} {res['first'][1]:6.0f} " if store else ""
            print(f"{url[:38]:38s} {first}{res['computed'][0]:12.0f} {res['computed'][1]:8.0f} {res['served'][0]:11.0f} "
                  f"{res['served'][1]:8.0f}  served {ok}, computed {okc}", flush=True)
    print(f"\nworst p95: " + ", ".join(f"{m} {v:.0f} ms" for m, v in worst.items()) + f" (target {TARGET_MS:.0f} ms)")
    if hasattr(app.state, "warm"):  # what `lien serve` does at start and (since 2026-12-02) after each action
        walls, cpus = [], []
        for _ in range(3):
            app.state.cache.clear()
            t, c0 = time.perf_counter(), time.process_time()
            app.state.warm("en")
            walls.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c0)
        print(f"warming the navigation pages (start, after an action): p50 {statistics.median(walls) * 1000:.0f} ms "
              f"wall, {statistics.median(cpus) * 1000:.0f} ms CPU (all threads)")
    if failed:
        print(f"failed: {', '.join(failed)}")
    w.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
