"""MODEL.md §9 worked examples, imported through the generic CSV importer.

The fixture (tests/data/model/worked_examples.csv) places each act a whole number of weeks
before the week ending 2024-06-30, as §9 describes them:
Camille: comments 1, 2, 3, 8, 11, 12 weeks ago; replies 2 (to Paul, who answered her that
week), 3 (to Zoé, who never answers), 5 and 5 (to Sophie, who answered her that week);
meetups 2, 7 (volunteered) and 16 weeks ago; one like a week for 25 weeks.
Marc: meetups 1, 5, 9, 14 weeks ago. Léa: 200 likes in 13 weeks.
Expected values are computed here from MODEL.md's formulas, independently of lien's code.
"""
from __future__ import annotations

import math
import shutil

import orjson
import pytest

from conftest import DATA, do_import

M = DATA / "model"
AS_OF = "2024-06-30"


def D(age: float, h: float) -> float:
    return 2 ** (-age / h)


def s(x: float, k: float) -> float:
    return 1 - math.exp(-x / k)


def merge_same_email(ws) -> None:
    """What the identity step does for these people: one person per e-mail across channels."""
    ws.con.execute("""UPDATE identities SET person_id =
                      (SELECT min(i2.person_id) FROM identities i2 WHERE i2.key = identities.key)""").fetchall()


@pytest.fixture
def scored(ws, tmp_path):
    from lien.metrics.snapshots import score

    shutil.copy(M / "lien.toml", tmp_path / "lien.toml")
    ws.reload_config()
    do_import(ws, M / "worked_examples.csv")
    merge_same_email(ws)
    score(ws)
    return ws


def test_camille(scored):
    from lien.metrics.persons import person

    d = person(scored, "camille@exemple.fr", as_of=AS_OF)
    x_off = D(2, 26) + 2 * D(7, 26) + D(16, 26)
    x_conv = sum(D(a, 13) for a in (1, 2, 3, 8, 11, 12)) + 1.5 * sum(D(a, 13) for a in (2, 3, 5, 5))
    x_rec = D(2, 13) + D(5, 13)
    x_light = sum(D(a, 13) for a in range(25))
    expected = {"offline": 30 * s(x_off, 2), "conversation": 25 * s(x_conv, 6), "reciprocity": 15 * s(x_rec, 3),
                "regularity": 15.0, "breadth": 6.0, "light": 5 * s(x_light, 15)}
    # MODEL.md §9's table
    assert [round(v, 1) for v in expected.values()] == [24.1, 19.7, 6.4, 15.0, 6.0, 3.1]
    for c, v in expected.items():
        assert d["components"][c] == pytest.approx(v, abs=0.005), c
    raw = {x["component"]: x["raw"] for x in d["details"]}
    assert raw["offline"] == 3.26 and raw["conversation"] == 9.36 and raw["reciprocity"] == 1.66
    assert raw["light"] == pytest.approx(14.2, abs=0.05) and raw["breadth"] == 2.0
    assert d["pes"] == pytest.approx(sum(expected.values()), abs=0.05) and round(d["pes"]) == 74
    assert d["level"] == "regular"
    # one reciprocated counterpart short of standard-bearer, and nothing else missing
    assert d["next_level"]["level"] == "standard_bearer"
    assert d["next_level"]["needs"] == ["exchanges with 3 different people (1 more reciprocated counterpart)"]


def test_marc(scored):
    from lien.metrics.persons import person

    d = person(scored, "Marc", as_of=AS_OF)
    x_off = sum(D(a, 26) for a in (1, 5, 9, 14))
    assert d["components"]["offline"] == pytest.approx(30 * s(x_off, 2), abs=0.005)
    assert round(d["components"]["offline"], 1) == 24.3
    assert d["components"]["regularity"] == 15.0
    assert sum(d["components"].values()) == pytest.approx(d["pes"], abs=0.05)
    assert round(d["pes"]) == 39 and d["level"] == "regular" and "offline-only" in d["tags"]


def test_lea(scored):
    from lien.metrics.persons import person

    d = person(scored, "Léa", as_of=AS_OF)
    assert d["components"]["light"] == pytest.approx(5.0, abs=0.005)
    assert round(d["pes"]) == 5 and d["level"] == "observer" and d["tags"] == []
    assert sum(v for c, v in d["components"].items() if c != "light") == 0


def test_cli_person_json_and_explain(scored, cli, tmp_path):
    ws_path = str(scored.path)
    scored.close()
    code, out, err = cli("--workspace", ws_path, "person", "Camille", "--as-of", AS_OF, "--json")
    assert code == 0, err
    d = orjson.loads(out)
    assert d["pes"] == 74.3 and d["level"] == "regular"
    assert set(d["components"]) == {"offline", "conversation", "reciprocity", "regularity", "breadth", "light"}
    assert d["components"]["offline"] == pytest.approx(24.12, abs=0.01)
    code, out, err = cli("--workspace", ws_path, "person", "Camille", "--as-of", AS_OF, "--explain")
    assert code == 0, err
    out = " ".join(out.replace("│", " ").split())
    assert "x_off = 3.26 (3 events; 1 as volunteer)" in out and "6 comments, 4 replies" in out
    notes = {x["component"]: x["note"] for x in d["details"]}
    assert notes["reciprocity"] == "x_rec = 1.66 (2 people; last exchanges 2 and 5 weeks ago)"
    assert notes["breadth"] == "2 channels: facebook:asso, offline"
    assert "Since last week" in out and "Standard-bearer" in out
    code, out, err = cli("--workspace", ws_path, "--lang", "fr", "person", "Marc", "--as-of", AS_OF, "--explain")
    assert "Habitué" in out and "hors-ligne seulement" in out and "Présence hors-ligne" in out
    code, out, err = cli("--workspace", ws_path, "people", "--as-of", AS_OF, "--json")
    rows = orjson.loads(out)["people"]
    assert [(r["name"], r["pes"], r["level"]) for r in rows[:2]] == [("Camille", 74.3, "regular"),
                                                                     ("Marc", 39.3, "regular")]
    code, out, err = cli("--workspace", ws_path, "people", "--as-of", AS_OF, "--tag", "offline-only", "--json")
    assert [r["name"] for r in orjson.loads(out)["people"]] == ["Marc"]
    code, out, err = cli("--workspace", ws_path, "people", "--as-of", AS_OF, "--level", "observer", "--csv")
    assert out.splitlines()[1].startswith("Léa") or "Léa" in out
    code, out, err = cli("--workspace", ws_path, "person", "nobody-here")
    assert code == 2 and "nobody matches" in err
