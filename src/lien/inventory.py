"""What the workspace holds: per channel and kind, sources, and a first list of people."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from .errors import UsageError
from .schema import PUBLIC_TABLES


def status(ws: Any) -> dict[str, Any]:
    """Totals, per channel and kind counts with date spans, and the sources."""
    totals = ws.rows("""
        SELECT (SELECT count(*) FROM people) AS people, (SELECT count(*) FROM identities) AS identities,
               (SELECT count(*) FROM activities) AS acts, (SELECT count(*) FROM events) AS events,
               (SELECT min(ts) FROM activities) AS first, (SELECT max(ts) FROM activities) AS last
    """)[0]
    by_channel = ws.rows("""
        SELECT channel, kind, count(*) AS acts, count(DISTINCT identity_id) AS people, min(ts) AS first, max(ts) AS last
        FROM activities GROUP BY ALL ORDER BY channel, acts DESC
    """)
    sources = ws.rows("""
        SELECT s.id, s.kind AS format, s.location, s.importer_version, s.first_imported_at, s.imported_at, s.records,
               (SELECT count(*) FROM activities a WHERE a.source_id = s.id) AS acts
        FROM sources s ORDER BY s.id
    """)
    return {"workspace": str(ws.path), "schema_version": ws.schema_version, "totals": totals,
            "channels": by_channel, "sources": sources}


def people(ws: Any, *, limit: int | None = 50, channel: str | None = None, order: str = "acts") -> list[dict[str, Any]]:
    """People with their counts per kind, first and last seen (all their identities)."""
    if order not in ("acts", "last", "first", "name"):
        raise UsageError(f"cannot sort people by '{order}' (acts, last, first, name)")
    where = "WHERE a.channel = ?" if channel else ""
    params: list[Any] = [channel] if channel else []
    order_sql = {"acts": "acts DESC, name", "last": "last DESC NULLS LAST, name", "first": "first NULLS LAST, name",
                 "name": "name"}[order]
    lim = f"LIMIT {int(limit)}" if limit else ""
    return ws.rows(f"""
        WITH acts AS (
            SELECT i.person_id, a.kind, count(*) AS n, min(a.ts) AS first, max(a.ts) AS last,
                   list(DISTINCT a.channel) AS channels
            FROM activities a JOIN identities i ON i.id = a.identity_id {where}
            GROUP BY ALL
        )
        SELECT p.id, p.display_name AS name, p.role, sum(n)::BIGINT AS acts,
               map_from_entries(list((kind, n::BIGINT) ORDER BY n DESC)) AS kinds,
               min(first) AS first, max(last) AS last,
               list_sort(list_distinct(flatten(list(channels)))) AS channels
        FROM people p JOIN acts ON acts.person_id = p.id
        GROUP BY p.id, p.display_name, p.role
        ORDER BY {order_sql} {lim}
    """, params)


def export_tables(ws: Any, out_dir: Path, tables: list[str] | None = None, fmt: str = "csv") -> list[dict[str, Any]]:
    """Write tables to ``out_dir`` as CSV or Parquet (DuckDB's COPY); returns what was written."""
    tables = tables or list(PUBLIC_TABLES)
    for name in tables:
        if name not in PUBLIC_TABLES:
            raise UsageError(f"unknown table '{name}' (tables: {', '.join(PUBLIC_TABLES)})")
    if fmt not in ("csv", "parquet"):
        raise UsageError(f"unknown export format '{fmt}' (csv, parquet)")
    out_dir.mkdir(parents=True, exist_ok=True)
    done = []
    for name in tables:
        path = out_dir / f"{name}.{fmt}"
        opts = "(FORMAT csv, HEADER true)" if fmt == "csv" else "(FORMAT parquet, COMPRESSION zstd)"
        ws.con.execute(f"COPY (SELECT * FROM {name}) TO '{str(path).replace(chr(39), chr(39) * 2)}' {opts}")
        done.append({"table": name, "rows": ws.count(name), "path": str(path)})
    return done


def _plain(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.isoformat()
    return v
