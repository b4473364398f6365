"""Identity suggestions kept in a table: Splink runs once per change of the identities' features;
decisions (merge, reject, undo) apply at once on read, with the same figures as a fresh run."""
from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("splink")

from lien import identity  # noqa: E402
from lien.identity import suggest as mod  # noqa: E402
from test_identity_rules import BOB_MAIL, CAROLE_FORUM, CAROLE_MAIL, import_all  # noqa: E402


def fresh(ws: Any, threshold: float = 0.9) -> list[dict[str, Any]]:
    """Splink from scratch (the stored table dropped)."""
    ws.con.execute(f'DROP TABLE IF EXISTS "{mod.TABLE}"')
    return mod.suggest(ws, threshold=threshold)


def test_stored_suggestions_follow_decisions(ws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import_all(ws)
    first = mod.suggest(ws, threshold=0.9)
    assert len(first) == 6 and ws.scalar(f'SELECT count(*) FROM "{mod.TABLE}"') >= 6
    real = mod._predict

    def no_splink(*a: Any, **k: Any) -> Any:
        raise AssertionError("Splink ran on a read")

    monkeypatch.setattr(mod, "_predict", no_splink)
    assert mod.suggest(ws, threshold=0.9) == first
    assert mod.suggest(ws, threshold=0.95) == [r for r in first if r["score"] >= 0.95]
    # decisions apply at once, without Splink
    identity.reject(ws, BOB_MAIL, "https://other.example/users/bob", reason="another Bob")
    identity.merge(ws, CAROLE_MAIL, CAROLE_FORUM)
    stored = mod.suggest(ws, threshold=0.9)
    assert len(stored) == 3
    identity.undo(ws, None)  # Carole's merge undone: her people apart again (that pair stays refused)
    undone = mod.suggest(ws, threshold=0.9)
    assert len(undone) == 4
    # the same as Splink from scratch with the same decisions
    monkeypatch.setattr(mod, "_predict", real)
    assert undone == fresh(ws)
    identity.merge(ws, CAROLE_MAIL, CAROLE_FORUM)
    assert mod.suggest(ws, threshold=0.9) == stored == fresh(ws)
    # a lower threshold than what is kept runs Splink (and says the same as before)
    low = mod.suggest(ws, threshold=0.05)
    assert [r for r in low if r["score"] >= 0.9] == stored


def test_new_identities_refresh_the_table(ws: Any) -> None:
    import_all(ws)
    mod.suggest(ws, threshold=0.9)
    before = ws.scalar("SELECT value FROM meta WHERE key = ?", [mod._META_KEY])
    ws.con.execute("UPDATE identities SET display_name = 'Somebody Else' WHERE key = 'dan.roux'")
    rows = mod.suggest(ws, threshold=0.9)
    assert ws.scalar("SELECT value FROM meta WHERE key = ?", [mod._META_KEY]) != before
    assert rows == fresh(ws)
