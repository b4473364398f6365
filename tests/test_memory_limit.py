"""Running out of the memory lien.toml allows is a clear error naming the setting, never a
traceback nor a file blamed for it; the workspace is left exactly as it was."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import lien

from conftest import snapshot

DATA = Path(__file__).parent / "data" / "tabular"


def _tables(path: Path) -> dict[str, Any]:
    w = lien.open(path)
    try:
        return {**snapshot(w), "score_weeks": w.rows("SELECT * FROM score_weeks ORDER BY ALL")}
    finally:
        w.close()


def test_out_of_memory_names_the_setting(cli: Any, tmp_path: Path) -> None:
    code, out, err = cli("import", DATA / "acts.csv")
    assert code == 0, err
    before = _tables(tmp_path / "lien.duckdb")
    assert len(before["activities"]) == 5 and before["score_weeks"]
    toml = tmp_path / "lien.toml"
    toml.write_text('[workspace]\nmemory_limit = "16MB"\n')  # import made no lien.toml: only this setting

    code, out, err = cli("import", DATA / "nested.jsonl")  # DuckDB's JSON reader wants a 32 MB buffer
    err = " ".join(err.split())  # the terminal wraps long lines
    assert code == 1
    assert "the database needed more memory than allowed (memory_limit = 15.2 MiB); nothing was changed" in err
    assert f'Raise it in {toml} under [workspace], e.g. memory_limit = "4GB"' in err
    assert "Traceback" not in err and "expected JSON Lines" not in err
    assert _tables(tmp_path / "lien.duckdb") == before

    code, out, err = cli("score", "--full")
    err = " ".join(err.split())
    assert code == 1
    assert "needed more memory than allowed (memory_limit = 15.2 MiB)" in err and "Traceback" not in err
    assert _tables(tmp_path / "lien.duckdb") == before
