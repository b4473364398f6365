"""Run every benchmark in bench/ and print their results: `make bench` (or `python bench/run.py`).

Each script is run in its own process (so that one's memory does not weigh on the next),
with the options given here that it knows (e.g. `python bench/run.py --quick` for a short
try: scripts without a --quick run at their defaults). A script that fails is reported and
the others still run; the exit code says whether all passed.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def scripts() -> list[Path]:
    return sorted(p for p in HERE.glob("*.py") if p.name != "run.py" and not p.name.startswith("_"))


def main(argv: list[str]) -> int:
    failed = []
    found = scripts()
    print(f"benchmarks: {', '.join(p.name for p in found)}" + (f" (arguments: {' '.join(argv)})" if argv else ""),
          flush=True)
    for script in found:
        print(f"\n== {script.name} " + "=" * max(0, 60 - len(script.name)), flush=True)
        started = time.perf_counter()
        source = script.read_text(encoding="utf-8")
        args = [a for a in argv if a.split("=")[0] in source]
        code = subprocess.call([sys.executable, str(script), *args], cwd=HERE.parent)
        took = time.perf_counter() - started
        print(f"-- {script.name}: {'ok' if code == 0 else f'FAILED (exit {code})'} in {took:.0f} s", flush=True)
        if code != 0:
            failed.append(script.name)
    print(f"\n{len(found) - len(failed)} of {len(found)} benchmarks ran" + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
