"""Dashboard latency: every page of `lien serve` (and its JSON twin) on a 1M-activity workspace.

    python bench/web_bench.py                 # 1,000,000 acts (two years, Zipf people; bench/score.py's data)
    python bench/web_bench.py --acts 200000
    python bench/web_bench.py --quick         # 100,000 acts, fewer requests

The workspace is generated once into bench/out/ (kept for the next run), scored, then each page is
requested in-process over HTTP (the ASGI app through httpx, as a browser's request would go
through uvicorn, minus the socket):

- **computed**: the page cache is emptied before every request: the library calls, the
  template and the JSON, every time (a first visit, or the first after a change);
- **served**: the cache kept: what a person clicking around gets while the data does not change
  (while `lien serve` runs it holds the workspace, so only its own actions change the data, and
  each of them empties the cache).

Prints p50 and p95 per page in milliseconds and whether p95 meets the target (200 ms).
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


def pct(values: list[float], q: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, max(0, round(q * (len(v) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--acts", type=int, default=1_000_000)
    ap.add_argument("--requests", type=int, default=20, help="requests per page and mode")
    ap.add_argument("--quick", action="store_true", help="100k acts, 5 requests")
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
    acts = w.scalar("SELECT count(*) FROM activities")
    people = w.scalar("SELECT count(*) FROM people")
    app = create_app(w)
    c = TestClient(app, base_url="http://127.0.0.1:8765", raise_server_exceptions=False)
    top = w.rows("""SELECT person_id FROM score_weeks WHERE week = (SELECT max(week) FROM score_weeks)
                    ORDER BY pes DESC LIMIT 1""")[0]["person_id"]
    pages = ["/", "/people", "/people?level=regular&sort=name", "/people?q=person 12", f"/person/{top}", "/inbox",
             "/channels", "/events", "/goals", "/identities", "/settings"]
    print(f"\nworkspace {path.name}: {acts:,} acts, {people:,} people; {a.requests} requests per page and mode")
    print(f"{'page':38s} {'computed p50':>12s} {'p95':>8s} {'served p50':>11s} {'p95':>8s}  target p95 < {TARGET_MS:.0f} ms")
    worst = {"computed": 0.0, "served": 0.0}
    failed: list[str] = []
    for page in pages:
        for twin in (False, True):
            url = ("/api" + (page if page != "/" else "/week")) if twin else page
            res = {}
            for mode in ("computed", "served"):
                times = []
                for _ in range(a.requests):
                    if mode == "computed":
                        app.state.cache.clear()
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
            print(f"{url[:38]:38s} {res['computed'][0]:12.0f} {res['computed'][1]:8.0f} {res['served'][0]:11.0f} "
                  f"{res['served'][1]:8.0f}  served {ok}, computed {okc}", flush=True)
    print(f"\nworst p95: computed {worst['computed']:.0f} ms, served {worst['served']:.0f} ms "
          f"(target {TARGET_MS:.0f} ms)")
    if failed:
        print(f"failed: {', '.join(failed)}")
    w.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
