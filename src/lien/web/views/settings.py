"""Settings: the model's weights and constants, and what changing each one does."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from ..pages import Ctx, page

COMPONENTS = ("offline", "conversation", "reciprocity", "regularity", "breadth", "light")


@page("settings", "/settings")
def build(ctx: Ctx) -> dict[str, Any]:
    from ...metrics.base import resolve_as_of

    ws = ctx.ws
    m = ws.config.model
    week = resolve_as_of(ws, ctx.arg("as_of"))
    # how much each component weighs in the community's scores this week (from the stored snapshots)
    cols = ", ".join(f"count(*) FILTER (WHERE p_{c} > 0) AS n_{c}, avg(p_{c}) AS avg_{c}" for c in COMPONENTS)
    row = ws.rows(f"SELECT count(*) AS scored, avg(pes) AS avg_pes, {cols} FROM score_weeks "
                  "WHERE week = ? AND role = 'community'", [week - timedelta(days=6)])[0]
    scored = int(row["scored"] or 0)
    comps = [{"component": c, "weight": m["weights"][c], "people": int(row[f"n_{c}"] or 0),
              "avg_points": round(float(row[f"avg_{c}"] or 0), 1),
              "share_pct": round(100 * float(row[f"avg_{c}"] or 0) / float(row["avg_pes"]), 1) if row["avg_pes"] else None,
              "k": m["saturation_k"].get(c)} for c in COMPONENTS]
    return {"as_of": week, "config_path": str(ws.config_path), "scored": scored,
            "avg_pes": round(float(row["avg_pes"] or 0), 1), "components": comps, "model": m,
            "organisation": {"name": ws.config.name, "identities": list(getattr(ws.config, "identities", []) or []),
                             "staff": list(getattr(ws.config, "staff", []) or [])}}
