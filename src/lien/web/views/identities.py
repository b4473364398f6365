"""Identities: likely pairs of accounts of one person to confirm or reject; the decisions log."""
from __future__ import annotations

from typing import Any

from ...identity.suggest import THRESHOLD  # (Splink itself is imported on first use)
from ..pages import Ctx, action, page


@page("identities", "/identities")
def build(ctx: Ctx) -> dict[str, Any]:
    from ...errors import UsageError
    from ...identity import decisions

    raw = ctx.arg("threshold")
    try:
        threshold = THRESHOLDS[0] if raw is None else float(raw)
    except ValueError:
        threshold = -1.0
    if not 0.0 <= threshold <= 1.0:  # not a number, out of range, nan
        raise UsageError(f"threshold: expected a probability from 0 to 1, found '{raw}'", parameter="threshold")
    try:
        from ...identity.suggest import suggest
    except ModuleNotFoundError as e:
        if not (e.name or "").startswith(("lien.identity.suggest", "splink")):
            raise
        suggestions, available = [], False
    else:
        suggestions = suggest(ctx.ws, threshold=threshold, limit=50)
        available = True
    return {"suggestions_available": available, "suggestions": suggestions, "threshold": threshold,
            "thresholds": list(THRESHOLDS), "decisions": decisions(ctx.ws, limit=30)}


#: the thresholds offered on the page: the default (more likely one person than two, as
#: ``lien identities suggest``), only the very likely, and the doubtful ones too
THRESHOLDS = (THRESHOLD, 0.8, 0.2)


@action("identity_merge", "/identities/merge")
def merge(ctx: Ctx) -> dict[str, Any]:
    from ...identity import merge as lib

    d = lib(ctx.ws, ctx.form.get("a", ""), ctx.form.get("b", ""), reason=ctx.form.get("reason") or "confirmed in the dashboard")
    return {"decision": d, "redirect": "/identities"}


@action("identity_reject", "/identities/reject")
def reject(ctx: Ctx) -> dict[str, Any]:
    from ...identity import reject as lib

    d = lib(ctx.ws, ctx.form.get("a", ""), ctx.form.get("b", ""), reason=ctx.form.get("reason") or "rejected in the dashboard")
    return {"decision": d, "redirect": "/identities"}


@action("identity_undo", "/identities/undo")
def undo(ctx: Ctx) -> dict[str, Any]:
    from ...identity import undo as lib

    lid = ctx.form.get("id")
    d = lib(ctx.ws, int(lid) if lid else None, reason=ctx.form.get("reason") or "undone in the dashboard")
    return {"decision": d, "redirect": "/identities"}
