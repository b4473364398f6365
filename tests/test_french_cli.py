"""French where the CLI explains itself outside the model: identity suggestions' reasons and
error lines (French typography: a space before the colon)."""
from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import DATA


def test_suggestion_reasons_in_french(ws: Any, cli: Any) -> None:
    pytest.importorskip("splink")
    from test_identity_rules import import_all

    import_all(ws)
    path = str(ws.path)
    ws.close()
    code, out, err = cli("-w", path, "--lang", "fr", "identities", "suggest", "--threshold", "0.9")
    assert code == 0, err
    lines = [" ".join(x.replace("│", " ").split()) for x in out.splitlines()]
    dan = next(x for x in lines if "forum:jardin/dan.roux" in x)
    assert dan.endswith("checkin:checkin/dan roux forum:jardin/dan.roux même nom, même pseudo") or \
        dan.endswith("forum:jardin/dan.roux checkin:checkin/dan roux même nom, même pseudo"), dan
    assert "same" not in out and "handle" not in out
    # the JSON keeps the reasons' codes
    code, out, err = cli("-w", path, "--lang", "fr", "identities", "suggest", "--threshold", "0.9", "--json")
    dan = next(r for r in json.loads(out)["suggestions"] if "dan.roux" in (r["a_key"], r["b_key"]))
    assert dan["reasons"] == ["same name", "same handle"]


def test_error_line_in_french(cli: Any) -> None:
    code, out, err = cli("--lang", "fr", "import", DATA / "tabular" / "bad_kind.csv")
    assert code == 1 and err.startswith("Erreur : ")
    code, out, err = cli("import", DATA / "tabular" / "bad_kind.csv")
    assert code == 1 and err.startswith("Error: ")
    code, out, err = cli("--lang", "fr", "import", DATA / "tabular" / "acts.csv", "--map", "kind")
    assert code == 2 and "--map : attendu CHAMP=COLONNE, trouvé « kind »" in " ".join(err.split())


def test_report_in_french_reads_french(web_demo: Any, tmp_path: Any, cli: Any) -> None:
    """The demo's October 2026 has one Repair Café (tests/test_report.py)."""
    pytest.importorskip("jinja2")
    import html as h
    import re
    import shutil

    for name in ("lien.duckdb", "lien.toml"):
        shutil.copy(web_demo / name, tmp_path / name)
    code, out, err = cli("--lang", "fr", "report", "--month", "2026-10", "-o", "rapport.html")
    assert code == 0, err
    page = (tmp_path / "rapport.html").read_text(encoding="utf-8")
    text = " ".join(h.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(style|svg)\b.*?</\1>", "", page, flags=re.S))).split())
    assert "1 événement ce mois-ci." in text and "Repair Café d'octobre 2026" in text
    assert re.search(r"\w : actif d'habitude tous les ~\d+ jours ; silencieux depuis \d+ jours ; dernier : ", text)
    assert "porte-étendard : " in text and "contributions en 13 semaines" in text
    assert not re.search(r"\b(weeks|people|newcomers?|check-ins?|standard-bearer)\b", text)
