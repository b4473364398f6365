"""lien report: one self-contained HTML file for a month and its quarter (or a PDF)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("jinja2")


@pytest.fixture
def demo_dir(web_demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("lien.duckdb", "lien.toml"):
        shutil.copy(web_demo / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    import io
    from contextlib import redirect_stderr, redirect_stdout

    from lien.cli import main

    o, e = io.StringIO(), io.StringIO()
    with redirect_stdout(o), redirect_stderr(e):
        code = main(list(args))
    return code, o.getvalue(), e.getvalue()


def test_report_is_one_self_contained_file(demo_dir: Path, cli: Any) -> None:
    import lien
    from lien.metrics.levels import levels
    from lien.report import build

    code, out, err = run("-w", str(demo_dir / "lien.duckdb"), "report", "--month", "2026-10", "-o", "oct.html")
    assert code == 0, err
    assert "Report for 2026-10 (as of the week ending 2026-10-25)" in out.replace("\n", "")
    html = (demo_dir / "oct.html").read_text(encoding="utf-8")
    # nothing to fetch: no stylesheet link, no script, no image or frame source, no remote URL but SVG's namespace
    assert "<link" not in html and "<script" not in html and " src=" not in html and "@import" not in html
    assert set(re.findall(r'https?://[^"\s<)]+', html)) <= {"http://www.w3.org/2000/svg"}
    assert html.count("<style>") == 1 and "font: 15px/1.45 system-ui" in html   # the stylesheet, inline and intact
    assert html.count("<svg") == 2                                             # the ladder and the responsiveness
    assert "Répar'Lien" in html.replace("&#39;", "'") and "Slow report · Oct 2026" in html
    # the figures are the library's: the people who moved up are the flow's "up" count for October
    w = lien.open(demo_dir / "lien.duckdb")
    try:
        d = build(w, "2026-10")
        oct_ = next(m for m in levels(w, as_of="2026-10-25", months=12)["months"] if m["month"] == "2026-10")
    finally:
        w.close()
    assert len(d["moved_up"]) == sum(f["up"] for f in oct_["flow"].values()) > 0
    for p in d["moved_up"]:
        assert p["name"].replace("'", "&#39;") in html
    assert [e["name"] for e in d["events"]["month"]] == ["Repair Café d'octobre 2026"]
    assert d["quarter"] == "2026-Q4" and d["as_of"].isoformat() == "2026-10-25"
    from datetime import date

    from lien.web.pages import fmt_date

    assert f"Made by lien on {fmt_date(date.today(), 'en')}, from the data up to the week ending 25 Oct 2026." in html


def test_report_in_french_and_default_month(demo_dir: Path) -> None:
    code, out, err = run("-w", str(demo_dir / "lien.duckdb"), "--lang", "fr", "report", "-o", "rapport.html")
    assert code == 0, err
    html = (demo_dir / "rapport.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in html and "Rapport lent · oct. 2026" in html   # the last complete month of data
    assert "1. L&#39;échelle" in html


def test_bad_month(demo_dir: Path) -> None:
    code, out, err = run("-w", str(demo_dir / "lien.duckdb"), "report", "--month", "October", "-o", "x.html")
    assert code == 2 and "--month: expected YYYY-MM, found 'October'" in err
    assert not (demo_dir / "x.html").exists()


def test_pdf(demo_dir: Path) -> None:
    pytest.importorskip("weasyprint", reason="the pdf extra (WeasyPrint) is not installed")
    code, out, err = run("-w", str(demo_dir / "lien.duckdb"), "report", "--month", "2026-09", "--pdf", "-o", "r.pdf")
    assert code == 0, err
    data = (demo_dir / "r.pdf").read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 20_000
    # on paper the sections flow on from page to page: 3 A4 pages for this month (5 when each
    # section kept to a page of its own, leaving most of them half empty)
    import lien
    from weasyprint import HTML

    from lien.report import build
    from lien.report.build import render

    w = lien.open(demo_dir / "lien.duckdb")
    try:
        doc = HTML(string=render(build(w, "2026-09"), "en")).render()
    finally:
        w.close()
    assert len(doc.pages) == 3
    assert {(round(p.width), round(p.height)) for p in doc.pages} == {(794, 1123)}   # A4 at 96 px per inch


def test_the_default_month_is_the_last_one_whose_weeks_are_all_in() -> None:
    from datetime import date

    from lien.report.build import last_complete_month

    # the week ending Sunday 29 Nov 2026 is November's last (the next one ends in December)
    assert last_complete_month(date(2026, 11, 29)) == (date(2026, 11, 1), date(2026, 11, 30))
    assert last_complete_month(date(2026, 11, 22)) == (date(2026, 10, 1), date(2026, 10, 31))
    assert last_complete_month(date(2026, 10, 25)) == (date(2026, 10, 1), date(2026, 10, 31))
    assert last_complete_month(date(2026, 5, 31)) == (date(2026, 5, 1), date(2026, 5, 31))
    assert last_complete_month(date(2027, 1, 3)) == (date(2026, 12, 1), date(2026, 12, 31))
