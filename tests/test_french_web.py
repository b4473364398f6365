"""The dashboard's person page explains the score in the page's language (the library's
sentences follow it), with the same numbers in both."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

import lien

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from lien.web import create_app  # noqa: E402


def test_person_page_in_french(web_demo: Path, tmp_path: Path) -> None:
    for name in ("lien.duckdb", "lien.toml"):
        shutil.copy(web_demo / name, tmp_path / name)
    w = lien.open(tmp_path / "lien.duckdb")
    try:
        c = TestClient(create_app(w), base_url="http://127.0.0.1:8765")
        pid = w.rows("SELECT person_id FROM score_weeks WHERE role = 'community' ORDER BY week DESC, pes DESC "
                     "LIMIT 1")[0]["person_id"]
        en: dict[str, Any] = c.get(f"/api/person/{pid}?lang=en").json()["person"]
        fr: dict[str, Any] = c.get(f"/api/person/{pid}?lang=fr").json()["person"]
        assert en["components"] == fr["components"] and en["level"] == fr["level"]
        notes = {x["component"]: x["note"] for x in fr["details"]}
        assert "semaines en ligne (maximum dès 7)" in notes["regularity"]
        assert "weeks online (full at 7)" in {x["component"]: x["note"] for x in en["details"]}["regularity"]
        html = c.get(f"/person/{pid}?lang=fr").text
        assert notes["regularity"].replace("'", "&#39;") in html and "weeks online" not in html
        assert "nothing new this week" not in html and "in the lookback" not in html
        assert fr["changes"]
        for ch in fr["changes"]:  # the week's changes: French decimal comma and colon
            sign = "+" if ch["delta"] > 0 else ""
            assert f"{sign}{ch['delta']:.1f}".replace(".", ",") + "</b>" in html
            assert "\u00a0: " + ch["reason"].replace("'", "&#39;") in html
        idents = c.get("/identities?lang=fr").text  # Splink's reasons in French
        assert "même nom" in idents and "same name" not in idents
    finally:
        w.close()
