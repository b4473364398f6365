"""Benchmark: a full `lien score` beside a bare DuckDB aggregate and a pandas PES, same data.

    python bench/score.py --quick          # 100k acts, a minute
    python bench/score.py                  # 1M and 10M acts (two years, Zipf people)
    python bench/score.py --sizes 1000000 --keep --profile --no-pandas   # and the slowest statements

Each measurement runs in its own process (peak memory from resource.getrusage). The synthetic
community: people drawn from a Zipf-like law (n/100 people, a few very active, most once or
twice), acts over two years: likes 40 %, comments 20 %, replies 15 %, posts 5 %, shares 5 %,
follows 2 %, check-ins 8 % (weekly events), RSVPs 5 %; comments and replies answer earlier
posts/comments of the same channel and address their author. Targets (issue 3): lien ≤ 3× the
bare aggregate, ≥ 3× faster than pandas, peak memory ≤ 4 GB at 10M.

Besides the three runs it measures an output floor: writing a copy of what lien stores
(``score_weeks`` and ``tie_weeks``, from the scored workspace) with no computation at all. Any
implementation of the model that stores these documented tables pays at least that plus one
read of the acts (which is about what the bare aggregate costs).

Measured 2026-12-02 (session 4) on the 2-core machine, one run each, the workspace's default
512 MB memory_limit, plan already compiled:

    acts   bare aggregate      lien score (full)      pandas PES           lien/bare      pandas/lien
           wall    CPU         wall     CPU   peak    wall    CPU   peak   wall   CPU     wall   CPU
    1M     0.82 s  0.96 s      12.9 s   22.8  0.72GB  17.4 s  17.6  0.65GB 15.7×  23.7×   1.35×  0.77×
    10M    9.69 s  12.5 s      195.7 s  367   0.86GB  213.5 s 214   4.43GB 20.2×  29.5×   1.09×  0.58×

(1M on a quiet machine, load 0.4; 10M beside two other jobs.) Peak memory at 10M: met (0.86 GB,
spilling to <workspace>.tmp; ``--memory-limit 3GB`` peaks at 3.3 GB for ~10 % less CPU). The
two speed targets are not met. Output floor at 1M: copying score_weeks (1,463,614 rows, 39
columns) and tie_weeks (1,289,773 rows) costs 1.4–1.6 s wall / 2.4–2.8 CPU s, 1.4–1.7× wall and
2.5× CPU the bare aggregate (two runs), so ≤ 3× leaves about one aggregate's time, or less, for all
of the model's windows, ties and PageRank. Where lien's time goes at 1M (``--profile``, CPU s): the dense
person × week grid's 15 window aggregates (_lien_grid1) 5–6, writing score_weeks with values,
points, levels, tags and prescriber joins 4–5, tie_weeks 2.5–3, the PageRank loop (14
statements) ~3, interval deltas, acts, levels, digest ~1 each. pandas runs single-threaded
and computes less (no ties, PageRank, levels or tags).

``--memory-limit`` writes the run's lien.toml ``[workspace] memory_limit``. ``--keep``
generates each size once into bench/out/ and reuses it; ``--profile`` lists the slowest
statements (wall and CPU seconds each).
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "src"))


def generate(path: str, n: int) -> None:
    import lien

    people = max(1000, n // 100)
    ws = lien.open(path)
    con = ws.con
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _g AS
        SELECT i AS n,
               least({people} - 1, CAST(floor(exp(random() * ln({people}))) AS BIGINT) - 1) AS who,
               TIMESTAMP '2023-01-02' + to_microseconds(CAST(random() * 104 * 7 * 86400e6 AS BIGINT)) AS ts,
               random() AS r, CAST(floor(random() * 4) AS INTEGER) AS ch
        FROM range({n}) t(i)""").fetchall()
    con.execute(f"""
        INSERT INTO people (id, display_name, role)
        SELECT 'p' || i, 'Person ' || i, 'community' FROM range({people}) t(i);
        INSERT INTO identities (id, channel, key, display_name, person_id, is_org, is_bot)
        SELECT 'i' || i, 'forum', 'user' || i || '@example.org', 'Person ' || i, 'p' || i, i = 0, false
        FROM range({people}) t(i);
        INSERT INTO events (id, channel, name, starts_at)
        SELECT 'e' || w || '-' || k, 'meetup', 'Meetup ' || w || '-' || k, TIMESTAMP '2023-01-05 19:00' + INTERVAL 7 DAY * w
        FROM range(105) t(w), range({max(1, n // 30000)}) u(k);
    """).fetchall()
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _a AS
        SELECT 'a' || n AS id, n, who, ts, ch,
               CASE WHEN r < 0.40 THEN 'like' WHEN r < 0.60 THEN 'comment' WHEN r < 0.75 THEN 'reply'
                    WHEN r < 0.80 THEN 'post' WHEN r < 0.85 THEN 'share' WHEN r < 0.87 THEN 'follow'
                    WHEN r < 0.95 THEN 'attend' ELSE 'rsvp_yes' END AS kind
        FROM _g""").fetchall()
    # parents: the nearest earlier post (comments, likes, shares) or comment (replies) of the channel
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _p AS
        SELECT a.id, a.n, a.who, a.ts, a.ch, a.kind,
               CASE WHEN a.kind IN ('comment','like','share') THEN
                    last_value(CASE WHEN a.kind = 'post' THEN a.id END IGNORE NULLS) OVER w
                    WHEN a.kind = 'reply' THEN
                    last_value(CASE WHEN a.kind IN ('comment','reply') THEN a.id END IGNORE NULLS) OVER w END AS parent
        FROM _a a
        WINDOW w AS (PARTITION BY a.ch ORDER BY a.ts ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)""").fetchall()
    events = max(1, n // 30000)  # weekly meetups of ~25 people each
    con.execute(f"""
        INSERT INTO activities (id, channel, identity_id, kind, ts, thread_id, in_reply_to, target_identity_id)
        SELECT a.id, CASE WHEN a.kind IN ('attend','rsvp_yes') THEN 'meetup' ELSE 'forum:' || a.ch END,
               'i' || a.who, a.kind, a.ts,
               CASE WHEN a.kind IN ('attend','rsvp_yes')
                    THEN 'e' || CAST(datediff('day', DATE '2023-01-02', a.ts) // 7 AS VARCHAR) || '-'
                         || CAST(a.n % {events} AS VARCHAR)
                    WHEN a.kind = 'post' THEN a.id ELSE a.parent END,
               a.parent, CASE WHEN a.parent IS NOT NULL THEN 'i' || p.who END
        FROM _p a LEFT JOIN _p p ON p.id = a.parent""").fetchall()
    con.execute("DROP TABLE _g; DROP TABLE _a; DROP TABLE _p").fetchall()
    con.execute("CHECKPOINT").fetchall()
    ws.close()


def bare(path: str) -> None:
    """The baseline: one aggregate of every act per person and week, through the identities."""
    import duckdb

    con = duckdb.connect(path, read_only=True)
    con.execute("""
        SELECT i.person_id, datediff('day', DATE '1969-12-29', a.ts) // 7 AS week, count(*) AS acts,
               sum(CASE a.kind WHEN 'comment' THEN 1 WHEN 'reply' THEN 1.5 WHEN 'post' THEN 1.5 ELSE 0 END) AS conv,
               count(*) FILTER (WHERE a.kind = 'like') AS likes,
               count(*) FILTER (WHERE a.kind = 'attend') AS checkins, count(DISTINCT a.channel) AS channels
        FROM activities a JOIN identities i ON i.id = a.identity_id GROUP BY ALL""").fetchall()


def score(path: str) -> None:
    import lien
    from lien.metrics.snapshots import score as run

    ws = lien.open(path)
    s = run(ws, full=True)
    print(json.dumps({"rows": s.rows, "ties": s.ties}), file=sys.stderr)
    ws.close()


def floor(path: str) -> None:
    """The output floor: a copy of what the scored workspace stores, no computation."""
    import duckdb

    con = duckdb.connect(path)
    con.execute("CREATE TABLE _floor_s AS SELECT * FROM score_weeks").fetchall()
    con.execute("CREATE TABLE _floor_t AS SELECT * FROM tie_weeks").fetchall()
    con.execute("CHECKPOINT").fetchall()


def pandas_pes(path: str) -> None:
    """A straightforward pandas PES (components C1–C6 per person and week; no ties, no PageRank)."""
    import duckdb
    import numpy as np
    import pandas as pd

    con = duckdb.connect(path, read_only=True)
    df = con.execute("""SELECT i.person_id AS person, a.kind, a.ts, a.channel, a.thread_id FROM activities a
                        JOIN identities i ON i.id = a.identity_id WHERE NOT i.is_org""").df()
    df["week"] = (df["ts"] - pd.Timestamp("1969-12-29")).dt.days // 7
    w = {"comment": 1.0, "reply": 1.5, "post": 1.5, "message": 1.0}
    df["conv"] = df["kind"].map(w).fillna(0.0)
    df["light"] = df["kind"].isin(["like", "share", "follow"]).astype(float)
    df["off"] = (df["kind"] == "attend").astype(float)
    df["on"] = df["kind"].isin(list(w)).astype(int)
    pw = df.groupby(["person", "week"]).agg(conv=("conv", "sum"), light=("light", "sum"), off=("off", "sum"),
                                             on=("on", "sum")).reset_index()
    pw["conv"] = pw["conv"].clip(upper=10)
    pw["light"] = pw["light"].clip(upper=20)
    end = int(df["week"].max())
    frames = []
    for person, g in pw.groupby("person"):
        idx = np.arange(g["week"].min(), min(g["week"].max() + 52, end + 1))
        g = g.drop(columns="person").set_index("week").reindex(idx, fill_value=0.0)
        g["person"] = person
        frames.append(g)
    grid = pd.concat(frames)
    grid.index.name = "week"
    grid = grid.reset_index()
    out = {}
    for col, h in (("conv", 13), ("light", 13), ("off", 26)):
        rel = grid["week"] - grid["week"].min()
        e = (grid[col] * 2.0 ** (rel / h)).groupby(grid["person"]).cumsum()
        lagged = e.groupby(grid["person"]).shift(52).fillna(0.0)
        out[col] = 2.0 ** (-rel / h) * (e - lagged)
    active = (grid["on"] > 0).astype(int).groupby(grid["person"]).cumsum()
    w_on = active - active.groupby(grid["person"]).shift(13).fillna(0)
    pes = (30 * (1 - np.exp(-out["off"] / 2)) + 25 * (1 - np.exp(-out["conv"] / 6))
           + 15 * np.minimum(1, w_on / 7) + 5 * (1 - np.exp(-out["light"] / 15)))
    grid["pes"] = pes
    print(json.dumps({"rows": len(grid)}), file=sys.stderr)


def measure(step: str, path: str, profile: bool = False) -> dict:
    import os

    code = (f"import sys, time, resource; sys.path.insert(0, {str(ROOT / 'bench')!r}); import score as b; "
            f"t = time.perf_counter(); c = time.process_time(); b.{step}({path!r}); "
            "print(time.perf_counter() - t, time.process_time() - c, "
            "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    env = dict(os.environ, LIEN_PROFILE="1") if profile else None
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    if r.returncode:
        raise SystemExit(f"{step} failed:\n{r.stderr}")
    if profile:  # the slowest statements of the run (LIEN_PROFILE=1 times each one)
        lines = [ln for ln in r.stderr.splitlines() if ln.startswith("[lien score]")]
        for ln in sorted(lines, key=lambda ln: -float(ln.split()[2]))[:12]:
            print("   ", ln[:120])
    secs, cpu, rss = r.stdout.split()[-3:]
    return {"seconds": float(secs), "cpu": float(cpu), "peak_gb": int(rss) / 1024 / 1024}


def workspace(n: int, tmp: str, keep: bool, memory_limit: str = "") -> str:
    """A fresh copy of the generated community (kept in bench/out/ with ``--keep``), with a
    lien.toml setting ``[workspace] memory_limit`` when one is given."""
    import shutil

    path = str(Path(tmp) / "bench.duckdb")
    if memory_limit:
        (Path(tmp) / "lien.toml").write_text(f'[workspace]\nmemory_limit = "{memory_limit}"\n')
        print(f"  [workspace] memory_limit = {memory_limit!r}")
    if not keep:
        t = time.perf_counter()
        generate(path, n)
        print(f"\n{n:,} acts generated in {time.perf_counter() - t:.1f} s")
        return path
    kept = OUT / f"score-{n}.duckdb"
    if not kept.exists():
        OUT.mkdir(exist_ok=True)
        t = time.perf_counter()
        generate(str(kept.with_suffix(".tmp.duckdb")), n)
        kept.with_suffix(".tmp.duckdb").rename(kept)
        print(f"\n{n:,} acts generated in {time.perf_counter() - t:.1f} s (kept in {kept})")
    else:
        print(f"\n{n:,} acts from {kept}")
    shutil.copyfile(kept, path)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000000,10000000", help="comma-separated numbers of acts")
    ap.add_argument("--quick", action="store_true", help="100k acts only")
    ap.add_argument("--no-pandas", action="store_true", help="skip the pandas baseline")
    ap.add_argument("--profile", action="store_true", help="list the slowest statements of the lien run")
    ap.add_argument("--keep", action="store_true", help="generate each size once into bench/out/ and reuse it")
    ap.add_argument("--memory-limit", default="",
                    help="lien.toml [workspace] memory_limit for the lien run, e.g. 3GB (default: the "
                         "workspace's own, 512MB)")
    args = ap.parse_args()
    sizes = [100_000] if args.quick else [int(x) for x in args.sizes.split(",")]
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path = workspace(n, tmp, args.keep, args.memory_limit)
            measure("score", path)  # warm-up: compiles the scoring plan once (cached on disk)
            res = {"bare DuckDB aggregate": measure("bare", path), "lien score (full)": measure("score", path, args.profile)}
            res["output floor (copy)"] = measure("floor", path)  # the scored workspace's own tables
            if not args.no_pandas:
                res["pandas PES"] = measure("pandas_pes", path)
            for k, v in res.items():
                print(f"  {k:24s} {v['seconds']:8.2f} s  {v['cpu']:8.2f} s CPU   peak {v['peak_gb']:.2f} GB")
            for what in ("seconds", "cpu"):  # CPU time: steadier than the clock on a shared machine
                base = res["bare DuckDB aggregate"][what]
                lien_s = res["lien score (full)"][what]
                label = "wall" if what == "seconds" else "CPU"
                print(f"  {label}: lien / bare aggregate = {lien_s / base:.2f}× (target ≤ 3)")
                print(f"  {label}: output floor / bare aggregate = {res['output floor (copy)'][what] / base:.2f}×")
                if "pandas PES" in res:
                    print(f"  {label}: pandas / lien = {res['pandas PES'][what] / lien_s:.2f}× (target ≥ 3)")
            print(f"  lien peak memory {res['lien score (full)']['peak_gb']:.2f} GB (target ≤ 4 GB at 10M)")


if __name__ == "__main__":
    main()
