"""Ibis expressions built and compiled once per process, run with their dates as parameters.

Building and compiling an Ibis expression costs far more than running it on a small workspace, and
as much as running it on a large one. A metric written as Ibis gives :func:`query` a ``build``
function that takes its changing values (as-of bounds, a channel) as Ibis literals; the first call
builds it with stand-in values, compiles it to the workspace engine's SQL and keeps the text with
placeholders where the stand-ins were; later calls only bind the real values. What changes the
text of the query (a filter present or not, a threshold from ``lien.toml``) goes in ``key``.

The texts are also kept on disk beside the score plans (``LIEN_CACHE_DIR``, else the user's cache
folder), keyed by the key, lien's code, Ibis' and DuckDB's versions, the engine and the
workspace schema: a new process (``lien serve`` started again, a CLI command) binds values to
the text a previous one compiled instead of paying the compilation on its first call of each
query (0.1-0.8 s a query at 1M acts, the first visit of a person page paying several).
"""
from __future__ import annotations

import hashlib
import math
import threading
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Iterator

import orjson

from .base import cache_file, cache_load, cache_save, ibis_backend

_SQL: dict[tuple[Any, ...], tuple[str, tuple[str, ...]] | None] = {}
_LOCK = threading.Lock()


def _standin(i: int, v: Any, alt: bool = False) -> Any:
    """A value no real query carries, of the parameter's type (``alt``: a second such value)."""
    if isinstance(v, datetime) or isinstance(v, date):
        return datetime(1901 + i + (500 if alt else 0), 2, 3, 4, 5, 6)
    if isinstance(v, str):
        return f"__lien_param_{i}{'_alt' if alt else ''}__"
    raise TypeError(f"unsupported query parameter type {type(v).__name__}")


def _render(b: Any, value: Any) -> str:
    import ibis

    sql = b.compile(ibis.literal(value).name("x"), pretty=False)
    head, _, _ = sql.partition(" AS ")
    return head.removeprefix("SELECT ").strip()


def _compile(ws: Any, build: Callable[..., Any], params: dict[str, Any]) -> tuple[str, tuple[str, ...]] | None:
    import ibis

    b = ibis_backend(ws)
    names = tuple(sorted(params))
    stand = {n: _standin(i, params[n]) for i, n in enumerate(names)}
    sql = b.compile(build(**{n: ibis.literal(v) for n, v in stand.items()}), pretty=False)
    texts = {n: _render(b, stand[n]) for n in names}
    missing = [n for n in names if not texts[n] or texts[n] not in sql]
    if missing:
        # absent from the text: either the query does not use the value (the same text whatever
        # it is: it needs no placeholder), or the stand-in was folded away (compile per call)
        other = {**stand, **{n: _standin(names.index(n), params[n], alt=True) for n in missing}}
        if b.compile(build(**{n: ibis.literal(v) for n, v in other.items()}), pretty=False) != sql:
            return None
        names = tuple(n for n in names if n not in missing)
    for n in names:
        sql = sql.replace(texts[n], f"${n}")
    return sql, names


def _code_version() -> str:
    """Changes whenever the code that builds the queries, Ibis or DuckDB does."""
    import duckdb
    import ibis

    h = hashlib.sha256(f"{ibis.__version__}|{duckdb.__version__}".encode())
    pkg = Path(__file__).resolve().parent.parent  # every module of lien: a view may build a query too
    for f in sorted(pkg.rglob("*.py")):
        h.update(str(f.relative_to(pkg)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


_CODE: str | None = None
_PLAIN = (str, int, float, bool, type(None), date)


def _plain(k: Any) -> bool:
    """Whether ``repr(k)`` names the same query in any process (plain values, nested tuples)."""
    return isinstance(k, _PLAIN) or (isinstance(k, tuple) and all(_plain(x) for x in k))


def _disk_file(ws: Any, k: tuple[Any, ...]) -> Path | None:
    global _CODE
    if not _plain(k):
        return None
    if _CODE is None:
        _CODE = _code_version()
    schema = ws.scalar("SELECT value FROM meta WHERE key = 'schema_version'")
    h = hashlib.sha256(f"{_CODE}|{ibis_backend(ws).name}|{schema}|{k!r}".encode()).hexdigest()[:24]
    return cache_file(f"sql-{h}.json")


def _disk_load(path: Path | None, k: tuple[Any, ...]) -> tuple[str, tuple[str, ...]] | None | bool:
    """The stored compilation (None: compiled per call), or False when there is none."""
    data = cache_load(path, repr(k)) if path is not None else None
    if data is None:
        return False
    return None if data["sql"] is None else (data["sql"], tuple(data["names"]))


def _disk_save(path: Path | None, k: tuple[Any, ...], hit: tuple[str, tuple[str, ...]] | None) -> None:
    if path is not None:
        cache_save(path, {"key": repr(k), "sql": hit[0] if hit else None, "names": list(hit[1]) if hit else []})


def compiled(ws: Any, key: tuple[Any, ...], build: Callable[..., Any], params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The SQL text of ``build(**params)`` and the values to bind to it."""
    import ibis

    params = {n: (datetime.combine(v, datetime.min.time()) if isinstance(v, date) and not isinstance(v, datetime) else v)
              for n, v in params.items()}
    k = (key, tuple(sorted((n, type(v).__name__) for n, v in params.items())))
    with _LOCK:
        hit = _SQL.get(k, False)
    if hit is False:
        path = _disk_file(ws, k)
        hit = _disk_load(path, k)
        if hit is False:
            hit = _compile(ws, build, params)
            _disk_save(path, k, hit)
        with _LOCK:
            _SQL[k] = hit
    if hit is None:
        b = ibis_backend(ws)
        return b.compile(build(**{n: ibis.literal(v) for n, v in params.items()}), pretty=False), {}
    sql, names = hit
    return sql, {n: params[n] for n in names}


def query(ws: Any, key: tuple[Any, ...], build: Callable[..., Any], **params: Any) -> list[dict[str, Any]]:
    """Rows of ``build(**params)`` as dicts (column names as the expression names them)."""
    sql, values = compiled(ws, key, build, params)
    cur = ws.con.execute(sql, values or None)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def create_temp(ws: Any, name: str, key: tuple[Any, ...], build: Callable[..., Any], **params: Any) -> Any:
    """``build(**params)`` computed once into the temporary table ``name``; its Ibis table."""
    sql, values = compiled(ws, key, build, params)
    ws.con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS {sql}', values or None).fetchall()
    return ibis_backend(ws).table(name)


@contextmanager
def shared(ws: Any) -> Iterator[dict[Any, Any]]:
    """Within the block, tables a metric computes for an as-of week are computed once and reused
    (a page or a goals check asks for the same items several times). The data must not change
    inside the block; outside it, every call computes afresh."""
    memo = getattr(ws, "_lien_shared", None)
    if memo is not None:  # nested: the outer block owns it
        yield memo
        return
    ws._lien_shared = memo = {}
    try:
        yield memo
    finally:
        ws._lien_shared = None
        for name in memo.get("_tables", ()):
            ws.con.execute(f'DROP TABLE IF EXISTS "{name}"').fetchall()


def memo(ws: Any) -> dict[Any, Any] | None:
    """The memo of the enclosing :func:`shared` block, or None."""
    return getattr(ws, "_lien_shared", None)


# ------------------------------------------------------------------------------------------
# results stored in the workspace, for the data as it is

#: results a page asks for that cost far more than reading them back (a goals check's
#: indicators, the week page's inbox and cooling lists), kept with the data version they hold for
STORE_TABLE = "stored_results"
_RUN_KEY = "score.run"


def mark_run(ws: Any) -> None:
    """Called by scoring when it wrote the snapshots: results stored before no longer hold."""
    import uuid

    ws.con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [_RUN_KEY, uuid.uuid4().hex]).fetchall()


def data_version(ws: Any) -> str:
    """What every stored result depends on, in brief: the acts, identities, people and events
    (their fingerprint), the last scoring run, the settings (``lien.toml`` as read), the day
    (a default week moves on) and the code. Taken once per :func:`shared` block."""
    m = memo(ws)
    if m is not None and "_data_version" in m:
        return m["_data_version"]
    global _CODE
    from .events import _fingerprint

    if _CODE is None:
        _CODE = _code_version()
    runs = ws.rows("SELECT key, value FROM meta WHERE key IN (?, ?, ?) ORDER BY key",
                   [_RUN_KEY, "score.settings", "score.end"])
    cfg = orjson.dumps(ws.config.raw, option=orjson.OPT_SORT_KEYS, default=str)
    raw = f"{_CODE}|{_fingerprint(ws)}|{runs}|{date.today()}|".encode() + cfg
    v = hashlib.sha256(raw).hexdigest()[:24]
    if m is not None:
        m["_data_version"] = v
    return v


def _enc(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        raise TypeError("cannot store a NaN or an infinity (JSON has none)")
    if isinstance(v, (str, int, float, bool, type(None))):
        return v
    if isinstance(v, datetime):
        return {"$dt": v.isoformat()}
    if isinstance(v, date):
        return {"$d": v.isoformat()}
    if isinstance(v, tuple):
        return {"$tu": [_enc(x) for x in v]}
    if isinstance(v, list):
        return [_enc(x) for x in v]
    if isinstance(v, dict) and all(isinstance(k, str) and not k.startswith("$") for k in v):
        return {k: _enc(x) for k, x in v.items()}
    raise TypeError(f"cannot store a {type(v).__name__}")


def _dec(v: Any) -> Any:
    if isinstance(v, list):
        return [_dec(x) for x in v]
    if isinstance(v, dict):
        if len(v) == 1:
            (k, x), = v.items()
            if k == "$dt":
                return datetime.fromisoformat(x)
            if k == "$d":
                return date.fromisoformat(x)
            if k == "$tu":
                return tuple(_dec(y) for y in x)
        return {k: _dec(x) for k, x in v.items()}
    return v


def stored(ws: Any, key: tuple[Any, ...], fn: Callable[[], Any]) -> Any:
    """``fn()``, read back from :data:`STORE_TABLE` when it was computed for the same data
    version (:func:`data_version`) and the same language, else computed and stored (replacing
    whatever was stored for an older version). Plain data only (dicts, lists, dates, numbers,
    text); ``key`` names the call and its arguments. A read-only workspace only computes."""
    import duckdb

    from .. import i18n

    k = repr((key, i18n.get_lang()))
    v = data_version(ws)
    try:
        row = ws.rows(f'SELECT value FROM "{STORE_TABLE}" WHERE key = ? AND version = ?', [k, v])
    except duckdb.CatalogException:
        row = []
    if row:
        return _dec(orjson.loads(row[0]["value"]))
    out = fn()
    try:
        text = orjson.dumps(_enc(out)).decode()
    except TypeError:
        return out
    m = memo(ws)
    try:
        if m is None or m.get("_stored_pruned") != v:  # once per block: the table, older versions out
            ws.con.execute(f'CREATE TABLE IF NOT EXISTS "{STORE_TABLE}" '
                           "(key VARCHAR PRIMARY KEY, version VARCHAR NOT NULL, value VARCHAR NOT NULL)").fetchall()
            ws.con.execute(f'DELETE FROM "{STORE_TABLE}" WHERE version <> ?', [v]).fetchall()
            if m is not None:
                m["_stored_pruned"] = v
        ws.con.execute(f'INSERT OR REPLACE INTO "{STORE_TABLE}" VALUES (?, ?, ?)', [k, v, text]).fetchall()
    except duckdb.Error:
        pass  # read-only, or inside a failed transaction: the result is only not kept
    return out


def forget_stored(ws: Any) -> None:
    """Drop every stored result (an erasure: none may keep a forgotten person's words)."""
    ws.con.execute(f'DROP TABLE IF EXISTS "{STORE_TABLE}"').fetchall()
