"""What every metric shares: the engine connection, the as-of week, who "we" are."""
from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from ..errors import UsageError

#: "lately", for the week's to-do lists (the CLI's and the dashboard's): four weeks back from
#: the as-of week's Sunday, that day included
RECENT_DAYS = 28


def cache_file(name: str) -> Path:
    """A file of lien's cache folder (``LIEN_CACHE_DIR``, else the user's cache folder): compiled
    score plans and query texts, kept between processes."""
    base = os.environ.get("LIEN_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "lien" / name


def cache_load(path: Path, key: str) -> dict[str, Any] | None:
    """The JSON object stored in ``path`` for ``key`` (a cache: any problem means none)."""
    import orjson

    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    return data if isinstance(data, dict) and data.get("key") == key else None


def cache_save(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` (with its ``key``) to ``path`` whole or not at all."""
    import orjson

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(orjson.dumps(data))
        tmp.replace(path)
    except OSError:
        pass  # an optimisation: an unwritable cache folder only costs a compilation per process


def ibis_backend(ws: Any) -> Any:
    """An Ibis backend over the workspace's own DuckDB connection (no copy)."""
    import ibis

    backend = getattr(ws, "_ibis", None)
    if backend is None:
        backend = ibis.duckdb.from_connection(ws.con)
        ws._ibis = backend
    return backend


def week_start(d: date | datetime) -> date:
    """Monday of the ISO week containing ``d``."""
    d = d.date() if isinstance(d, datetime) else d
    return d - timedelta(days=d.weekday())


def week_end(d: date | datetime) -> date:
    """Sunday of the ISO week containing ``d`` (snapshots are taken at its end)."""
    return week_start(d) + timedelta(days=6)


def parse_date(value: str | date | datetime | None, what: str = "--as-of") -> date | None:
    if value is None or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    try:
        return date.fromisoformat(value)
    except ValueError as e:
        raise UsageError(f"{what}: expected a date YYYY-MM-DD, found '{value}'") from e


def resolve_as_of(ws: Any, as_of: str | date | None = None, *, today: date | None = None) -> date:
    """The Sunday ending the week a read command looks at.

    Given a date: the ISO week containing it. By default: the last complete week before
    today, or, when the data stops earlier (an old export), the week of the latest act,
    so that an archive shows its own last week rather than an empty present."""
    d = parse_date(as_of)
    if d is not None:
        return week_end(d)
    today = today or date.today()
    last_complete = week_start(today) - timedelta(days=1)
    latest = ws.scalar("SELECT max(ts) FROM activities")
    if latest is not None and week_end(latest) < last_complete:
        return week_end(latest)
    return last_complete
