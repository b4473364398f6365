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
