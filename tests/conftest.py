"""Shared fixtures: a fresh real DuckDB workspace per test, the real data folder, the CLI."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import lien
from lien import i18n
from lien.sources.base import ImportOptions
from lien.sources.load import run_import

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED = Path(os.environ.get("LIEN_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests read English messages unless they ask otherwise."""
    monkeypatch.setenv("LIEN_LANG", "en")
    i18n.set_lang(None)


@pytest.fixture
def ws(tmp_path: Path) -> Any:
    """A fresh workspace in a temporary file (lien.toml beside it)."""
    w = lien.open(tmp_path / "lien.duckdb")
    yield w
    w.close()


@pytest.fixture
def shared() -> Path:
    """The real data in ../shared/data; skips the test when it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"real data folder {SHARED} is absent (a checkout outside the lien setup)")
    return SHARED


def do_import(ws: Any, *paths: Any, **opts: Any) -> list[Any]:
    return run_import(ws, [str(p) for p in paths], ImportOptions(**opts))


def snapshot(ws: Any) -> dict[str, Any]:
    """Every canonical table's rows, to assert that a failed import changed nothing."""
    out = {}
    for t in ("sources", "people", "identities", "activities", "events", "links", "goals"):
        out[t] = ws.con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
    return out


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run the real `lien` command in-process in a temporary folder: cli("status", "--json")
    returns (exit code, stdout, stderr)."""
    from lien.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LIEN_WORKSPACE", raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main([str(a) for a in args])
        o, e = capsys.readouterr()
        return code, o, e

    return run


#: a message whose author, title and text try to run script in the dashboard (tests/test_web_*.py);
#: bodies are HTML reduced to text at import, so the text's tags come as entities and survive as
#: the literal ``<script>…`` (the words a person typed), which the pages must show, not run
HOSTILE = {
    "name": 'Mallory <img src=x onerror="window.__xss=1">',
    "title": '"><svg onload="window.__xss=3">',
    "text": "&lt;script&gt;window.__xss=2&lt;/script&gt; hello &lt;img src=x onerror=window.__xss=4&gt;",
    "shown": "<script>window.__xss=2</script> hello <img src=x onerror=window.__xss=4>",
}


@pytest.fixture(scope="session")
def web_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the demo workspace (lien.duckdb + lien.toml) as of 2026-11-18, plus one
    hostile message addressed to us and a message from Camille Rousseau's second e-mail address
    (a merge suggestion); tests that change it copy the folder first."""
    import json
    from datetime import date

    from lien.demo import run as run_demo

    folder = tmp_path_factory.mktemp("webdemo")
    w = lien.open(folder / "lien.duckdb")
    try:
        run_demo(w, folder / "lien-demo", today=date(2026, 11, 18))
        f = folder / "hostile.jsonl"
        f.write_text(json.dumps({
            "id": "x1", "kind": "message", "ts": "2026-11-12T10:00:00", "actor": "mallory@evil.example",
            "actor_name": HOSTILE["name"], "channel": "mail:contact", "target": "contact@reparlien.example",
            "title": HOSTILE["title"], "text": HOSTILE["text"], "url": "javascript:window.__xss=5",
        }) + "\n" + json.dumps({
            "id": "x2", "kind": "message", "ts": "2026-11-10T09:00:00", "actor": "camille.rousseau@autre.example",
            "actor_name": "Camille Rousseau", "channel": "mail:contact", "target": "contact@reparlien.example",
            "text": "Bonjour, je peux venir samedi ?",
        }) + "\n", encoding="utf-8")
        do_import(w, f, format="jsonl")
    finally:
        w.close()
    return folder
