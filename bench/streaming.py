"""Streaming benchmark: does memory stay flat as the input grows?

Generates a JSON Lines file of activities and a Stack Exchange dump (``Posts.xml`` with
questions and answers, plus a small ``Users.xml``) at several sizes, imports each in a fresh
subprocess into a fresh workspace (exactly what ``lien import`` does), and prints per size:
rows read, seconds, rows per second and the child's peak resident memory
(``resource.getrusage``), with the ratio of peak memory to the smallest size's. Flat memory
means that ratio stays near 1 while the input grows.

    python bench/streaming.py                       # quick: 16, 64 and 256 MB
    python bench/streaming.py --sizes 128,512,1024  # the real run (1 GB)
    python bench/streaming.py --formats xml --sizes 32

The after-import hooks (identity resolution, scoring; see bench/score.py) are left out
unless ``--hooks`` asks for them. Files go to a temporary folder (``--tmp`` to choose; they are deleted afterwards).
``--rev REV`` also imports each file with the code of a git revision, for a before/after in one run.

Figures (DuckDB 2.0.0, 2 cores shared with other jobs: the seconds are noisy, the peaks are not),
peak resident memory of the whole import process in MB:

=======================  =========  ==========  ===============================
input                    rows       now         before (f688725, ``--rev``)
=======================  =========  ==========  ===============================
JSON Lines   358 MB        953,250     657      1,148 (no memory limit)
JSON Lines   719 MB      1,906,501     673      1,977
JSON Lines 1,441 MB      3,813,003     672      3,620
Posts.xml     65 MB        134,000     450        514 (memory_limit 512MB)
Posts.xml    257 MB        528,000     743      1,005 (250 MB, separate run)
Posts.xml    513 MB      1,056,000     793      1,289 (last session)
=======================  =========  ==========  ===============================

JSON Lines: peak(largest)/peak(smallest) 1.02 for 4× the input (was 3.15); Stack Exchange
1.07 from 257 to 513 MB (was 1.28), and every size below 800 MB. The
smallest dump does not fill DuckDB's 512 MB, hence the step from 65 to 257 MB; past it the
peak is DuckDB's limit plus Python (~110 MB) and one chunk.

Two causes. (1) No memory limit: the workspace left DuckDB its default, 80 % of the RAM, so a
large import held as much as DuckDB found useful instead of spilling; the workspace now sets
``[workspace] memory_limit = "512MB"`` (lien.toml) and DuckDB spills to ``<workspace>.tmp``.
(2) Stack Exchange staging registered each chunk's Arrow table as a view
(``con.register``/``unregister``): inside the import's transaction an unregistered view
stays in the catalog until the commit, with its Arrow table, so every chunk of the dump was
kept in memory (outside DuckDB's limit); chunks now go in with ``from_arrow(...).insert_into``.
A lower limit trades speed for memory (separate runs): with ``memory_limit = "256MB"`` the
513 MB dump peaked at 530 MB in 347 s (about 200 s at 512MB), the 1.4 GB JSON Lines file at
424 MB in 336 s (about 200 s).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, resource, sys, time
import lien
from lien.sources.base import ImportOptions
from lien.sources import load
from lien.sources.load import run_import
ws = lien.open(sys.argv[1])  # DuckDB's memory_limit: the workspace's ([workspace] in lien.toml, 512MB)
if sys.argv[5] != "-":  # or the one asked for; beyond it, tables spill to disk
    ws.con.execute(f"SET memory_limit = '{sys.argv[5]}'")
limit = ws.scalar("SELECT current_setting('memory_limit')")
if sys.argv[4] != "hooks":  # identity resolution and scoring are timed by bench/score.py
    load.AFTER_IMPORT.clear()
t = time.perf_counter()
[s] = run_import(ws, [sys.argv[2]], ImportOptions(format=sys.argv[3]))
secs = time.perf_counter() - t
n = ws.scalar("SELECT count(*) FROM activities")
ws.close()
print(json.dumps({"read": s.read, "acts": n, "seconds": secs, "limit": limit,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

WORDS = ("lien communauté rencontre atelier vélo apéro bénévoles merci question réponse idée projet "
         "association quartier soirée partage numérique jardin café débat lecture").split()


def _text(i: int, n: int) -> str:
    return " ".join(WORDS[(i * 7 + k * 13) % len(WORDS)] for k in range(n))


def make_jsonl(path: Path, size_mb: int) -> int:
    """Activities in lien's canonical columns, ~``size_mb`` MB."""
    import duckdb

    row_bytes = 330
    n = size_mb * 1024 * 1024 // row_bytes
    con = duckdb.connect()
    con.execute(f"""
        COPY (
            SELECT 'a' || i AS id,
                   ['post', 'comment', 'reply', 'like', 'share'][1 + i % 5] AS kind,
                   TIMESTAMP '2022-01-01' + to_seconds(i * 37 % 63072000) AS ts,
                   'person' || (hash(i) % 200000) || '@example.org' AS actor,
                   'bench' AS channel,
                   CASE WHEN i % 5 IN (1, 2) THEN 'a' || (i - i % 5) END AS in_reply_to,
                   'Un message de test numéro ' || i || ' : ' || repeat('communauté lien rencontre ', 8) AS text
            FROM range({n}) t(i)
        ) TO '{path}' (FORMAT json)""")
    con.close()
    return n


def make_stackexchange(folder: Path, size_mb: int) -> int:
    """A Stack Exchange dump: Posts.xml of ~``size_mb`` MB (one question, then answers), Users.xml."""
    folder.mkdir(parents=True, exist_ok=True)
    n_users = 5000
    with open(folder / "Users.xml", "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="utf-8"?>\n<users>\n')
        for u in range(1, n_users + 1):
            f.write(f'  <row Id="{u}" Reputation="{u % 900}" CreationDate="2020-01-01T00:00:00.000" '
                    f'DisplayName="Personne {u}" Location="Lyon" AccountId="{u + 1000}" />\n')
        f.write("</users>\n")
    target = size_mb * 1024 * 1024
    n = 0
    with open(folder / "Posts.xml", "w", encoding="utf-8") as f:
        f.write('\ufeff<?xml version="1.0" encoding="utf-8"?>\n<posts>\n')
        written = 0
        while written < target:
            chunk = []
            for _ in range(2000):
                n += 1
                q = n % 6 == 1
                day = 1 + n % 28
                body = f"&lt;p&gt;{_text(n, 40)} &amp;amp; {n}&lt;/p&gt;&#xA;"
                if q:
                    chunk.append(f'  <row Id="{n}" PostTypeId="1" CreationDate="2021-03-{day:02d}T10:00:00.000" '
                                 f'Score="{n % 7}" ViewCount="{n % 300}" Body="{body}" OwnerUserId="{n % n_users + 1}" '
                                 f'Title="Question {n}" Tags="&lt;velo&gt;&lt;atelier&gt;" AnswerCount="5" />\n')
                else:
                    parent = n - (n - 1) % 6
                    chunk.append(f'  <row Id="{n}" PostTypeId="2" ParentId="{parent}" '
                                 f'CreationDate="2021-03-{day:02d}T11:00:00.000" Score="{n % 5}" Body="{body}" '
                                 f'OwnerUserId="{(n * 7) % n_users + 1}" />\n')
            s = "".join(chunk)
            f.write(s)
            written += len(s.encode("utf-8"))
        f.write("</posts>\n")
    return n


def run_child(workspace: Path, path: Path, fmt: str, hooks: bool = False, memory_limit: str | None = None,
              src: Path | None = None) -> dict:
    env = dict(os.environ, PYTHONPATH=str(src or ROOT / "src"))
    out = subprocess.run([sys.executable, "-c", CHILD, str(workspace), str(path), fmt, "hooks" if hooks else "-",
                          memory_limit or "-"], env=env,
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"import of {path} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="16,64,256", help="input sizes in MB, comma separated")
    ap.add_argument("--formats", default="jsonl,xml", help="jsonl, xml or both")
    ap.add_argument("--hooks", action="store_true",
                    help="also run the after-import hooks (identity resolution, scoring) in the timed import")
    ap.add_argument("--memory-limit", default=None,
                    help="DuckDB memory_limit for the import (e.g. 256MB); default: the workspace's (512MB)")
    ap.add_argument("--tmp", default=None, help="folder for the generated files (default: a temporary one)")
    ap.add_argument("--rev", default=None,
                    help="also import each file with lien's code at this git revision (e.g. HEAD~3), for a "
                         "before/after in the same run")
    args = ap.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="lien-stream-", dir=args.tmp))
    codes: list[tuple[str, Path | None]] = [("", None)]
    if args.rev:
        (tmp / "rev").mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.rev, "src"], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(tmp / "rev")], input=archive.stdout, check=True)
        codes.append((f"@{args.rev}", tmp / "rev" / "src"))
    print(f"{'format':<16}{'size MB':>9}{'rows':>11}{'seconds':>9}{'rows/s':>10}{'peak MB':>9}{'× smallest':>11}"
          f"{'limit':>11}")
    try:
        for fmt in args.formats.split(","):
            base: dict[str, float] = {}
            peaks: dict[str, list[float]] = {}
            for mb in sizes:
                t0 = time.perf_counter()
                if fmt == "jsonl":
                    path = tmp / f"acts-{mb}.jsonl"
                    make_jsonl(path, mb)
                    importer = "jsonl"
                else:
                    path = tmp / f"site-{mb}"
                    make_stackexchange(path, mb)
                    importer = "stackexchange"
                gen = time.perf_counter() - t0
                real_mb = sum(p.stat().st_size for p in ([path] if path.is_file() else path.iterdir())) / 2**20
                for label, src in codes:
                    r = run_child(tmp / f"ws-{fmt}-{mb}.duckdb", path, importer, args.hooks, args.memory_limit, src)
                    base.setdefault(label, r["peak_mb"])
                    peaks.setdefault(label, []).append(r["peak_mb"])
                    name = fmt + label
                    print(f"{name:<16}{real_mb:>9.0f}{r['read']:>11,}{r['seconds']:>9.1f}"
                          f"{r['read'] / r['seconds']:>10,.0f}{r['peak_mb']:>9.0f}{r['peak_mb'] / base[label]:>11.2f}"
                          f"{r.get('limit', '?'):>11}   (generated in {gen:.0f} s)", flush=True)
                    for p in tmp.glob(f"ws-{fmt}-{mb}.duckdb*"):
                        shutil.rmtree(p) if p.is_dir() else p.unlink()
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()
            for label, p in peaks.items():
                if len(p) > 1:
                    print(f"{fmt}{label}: peak(largest) / peak(smallest) = {p[-1] / p[0]:.2f} "
                          f"for {sizes[-1] / sizes[0]:.0f}× the input", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
