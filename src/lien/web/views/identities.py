"""Identities: likely pairs of accounts of one person to confirm or reject; the decisions log."""
from __future__ import annotations

from typing import Any

from ..pages import Ctx, action, page


@page("identities", "/identities")
def build(ctx: Ctx) -> dict[str, Any]:
    from ...identity import decisions

    try:
        from ...identity.suggest import suggest
    except ModuleNotFoundError as e:
        if not (e.name or "").startswith(("lien.identity.suggest", "splink")):
            raise
        suggestions, available = [], False
    else:
        suggestions = suggest(ctx.ws, threshold=float(ctx.arg("threshold", "0.8") or 0.8), limit=50)
        available = True
    return {"suggestions_available": available, "suggestions": suggestions,
            "decisions": decisions(ctx.ws, limit=30)}


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
