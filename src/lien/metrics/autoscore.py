"""Scoring after every import (registered in ``lien.sources.load.AFTER_IMPORT``).

Kept light: the model (and Ibis) is imported only when an import actually runs."""
from __future__ import annotations

from typing import Any


def score_after_import(ws: Any) -> None:
    from .snapshots import score

    score(ws)


def register() -> None:
    from ..sources.load import AFTER_IMPORT

    if score_after_import not in AFTER_IMPORT:
        AFTER_IMPORT.append(score_after_import)


register()
