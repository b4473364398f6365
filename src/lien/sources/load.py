"""What every import shares: detection, fetching, staging, ids, dedup, the transaction,
idempotent upserts and provenance. Importers never touch the database."""
from __future__ import annotations

import hashlib
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

import orjson
import pyarrow as pa

from ..errors import BadInput, BadRecordInfo, LienError, UnknownFormat
from ..schema import ACTIVITY_KINDS
from ..text import sql_hash
from .base import Activity, Batch, Event, Identity, ImportOptions, Source

ProgressFn = Callable[[str, int], None]

STAGE_COLUMNS: dict[str, pa.Schema] = {
    "identities": pa.schema([
        ("channel", pa.string()), ("key", pa.string()), ("display_name", pa.string()),
        ("url", pa.string()), ("email", pa.string()), ("is_org", pa.bool_()), ("is_bot", pa.bool_()),
        ("native", pa.string()),
    ]),
    "activities": pa.schema([
        ("id", pa.string()), ("channel", pa.string()), ("kind", pa.string()), ("ts", pa.timestamp("us")),
        ("actor", pa.string()), ("actor_channel", pa.string()), ("thread_id", pa.string()),
        ("in_reply_to", pa.string()), ("target", pa.string()), ("target_channel", pa.string()),
        ("url", pa.string()), ("title", pa.string()), ("text", pa.string()), ("lang", pa.string()),
        ("native", pa.string()),
    ]),
    "events": pa.schema([
        ("id", pa.string()), ("channel", pa.string()), ("name", pa.string()),
        ("starts_at", pa.timestamp("us")), ("ends_at", pa.timestamp("us")), ("place", pa.string()),
        ("url", pa.string()), ("capacity", pa.int32()), ("native", pa.string()),
    ]),
}


@dataclass
class ImportSummary:
    """What one import did, per input."""

    format: str
    location: str
    source_id: int | None = None
    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # bad records skipped with --skip-bad, and tombstoned people's acts
    identities_added: int = 0
    events_added: int = 0
    events_updated: int = 0
    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)
    bad: list[BadRecordInfo] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    not_modified: bool = False  # a URL answered 304
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["bad"] = [b.__dict__ for b in self.bad]
        return d


# ------------------------------------------------------------------------------------------
# registry and detection


def registry() -> list[type[Source]]:
    from . import REGISTRY

    return REGISTRY


def by_name(name: str) -> type[Source]:
    for cls in registry():
        if cls.name == name:
            return cls
    names = ", ".join(sorted(c.name for c in registry()))
    raise UnknownFormat(f"unknown format '{name}' (known: {names})", format=name)


def detect(path: Path) -> type[Source]:
    head = b""
    if path.is_file():
        with open(path, "rb") as f:
            head = f.read(8192)
    best: tuple[int, type[Source] | None] = (0, None)
    for cls in registry():
        if path.is_dir() and not cls.takes_directory:
            continue
        score = cls.detect(path, head)
        if score > best[0]:
            best = (score, cls)
    if best[1] is None:
        raise UnknownFormat(
            f"{path}: cannot tell which format this is; name it with --format "
            f"({', '.join(sorted(c.name for c in registry()))})",
            file=str(path),
        )
    return best[1]


def is_url(location: str) -> bool:
    return location.startswith(("http://", "https://"))


# ------------------------------------------------------------------------------------------
# the import


def run_import(
    ws: Any,
    locations: list[str],
    options: ImportOptions,
    progress: ProgressFn | None = None,
    *,
    now: datetime | None = None,
) -> list[ImportSummary]:
    """Import every location in one transaction: all or nothing."""
    now = now or datetime.now(timezone.utc).replace(tzinfo=None)
    summaries: list[ImportSummary] = []
    tmpdir = tempfile.TemporaryDirectory(prefix="lien-fetch-")
    try:
        prepared = []
        for loc in locations:
            prepared.append(_prepare(ws, loc, options, Path(tmpdir.name)))
        if not getattr(ws, "_in_tx", False):
            # registered outside the transaction: a function created in one that rolls back
            # stays known to the Python connection but not to the catalog
            if not getattr(ws, "_lien_udfs", False):
                _register_udfs(ws.con)
                ws._lien_udfs = True
        else:
            _register_udfs(ws.con)
        with ws.transaction():
            for loc, path, fetched in prepared:
                if fetched is not None and fetched.not_modified:
                    summaries.append(ImportSummary(format=fetched.format or "?", location=loc, not_modified=True))
                    continue
                summaries.append(_import_one(ws, loc, path, options, progress, now, fetched))
            _after_import(ws)
    finally:
        tmpdir.cleanup()
    return summaries


@dataclass
class _Fetched:
    not_modified: bool
    etag: str | None
    last_modified: str | None
    format: str | None = None


def _prepare(ws: Any, loc: str, options: ImportOptions, tmp: Path) -> tuple[str, Path, _Fetched | None]:
    if not is_url(loc):
        path = Path(loc).expanduser()
        if not path.exists():
            raise BadInput(loc, "the path", "an existing file or folder", "nothing there")
        return str(path.resolve()), path, None
    from ..fetch import conditional_get

    row = ws.rows("SELECT kind, etag, last_modified FROM sources WHERE location = ? ORDER BY id DESC LIMIT 1", [loc])
    prev = row[0] if row else {}
    target = tmp / hashlib.md5(loc.encode()).hexdigest()
    res = conditional_get(loc, target, etag=prev.get("etag"), last_modified=prev.get("last_modified"))
    return loc, target, _Fetched(res.not_modified, res.etag, res.last_modified, prev.get("kind"))


class FileScan:
    """One read of an input file in a background thread (hashlib lets go of the GIL, so it
    runs beside DuckDB): its sha256 (the source's ``content_hash``) and its line count
    (lines that hold something after the last newline count too)."""

    def __init__(self, path: Path) -> None:
        import threading

        self.path = path
        self._sha256 = ""
        self._lines = 0
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="lien-scan", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            h, lines, tail = hashlib.sha256(), 0, b""
            with open(self.path, "rb") as f:
                while chunk := f.read(1 << 24):
                    h.update(chunk)
                    lines += chunk.count(b"\n")
                    cut = chunk.rfind(b"\n")
                    tail = chunk[cut + 1:] if cut >= 0 else tail + chunk
            self._sha256, self._lines = h.hexdigest(), lines + (1 if tail.strip() else 0)
        except BaseException as e:  # noqa: BLE001 (raised again in the caller's thread)
            self._error = e

    def _wait(self) -> None:
        self._thread.join()
        if self._error is not None:
            raise self._error

    @property
    def sha256(self) -> str:
        self._wait()
        return self._sha256

    @property
    def lines(self) -> int:
        self._wait()
        return self._lines


_SCANS: dict[Path, FileScan] = {}


def scan_file(path: Path) -> FileScan:
    """The scan of an input being imported (started by the loader); a new one otherwise."""
    return _SCANS.get(Path(path)) or FileScan(Path(path))


def _content_hash(path: Path) -> str:
    h = hashlib.sha256()
    if path.is_dir():
        for p in sorted(path.rglob("*")):
            if p.is_file():
                st = p.stat()
                h.update(f"{p.relative_to(path)}:{st.st_size}:{st.st_mtime_ns}\n".encode())
        return "dir:" + h.hexdigest()
    return scan_file(path).sha256


def _import_one(
    ws: Any, loc: str, path: Path, options: ImportOptions, progress: ProgressFn | None,
    now: datetime, fetched: _Fetched | None,
) -> ImportSummary:
    started = time.perf_counter()
    if options.format:
        cls = by_name(options.format)
    elif options.mapping:  # a column mapping is for the generic importers only
        cls = by_name("jsonl" if path.suffix.lower() in (".jsonl", ".ndjson", ".json") else "csv")
    else:
        cls = detect(path)
    source = cls(path, options, location=loc)
    summary = ImportSummary(format=cls.name, location=loc)
    con = ws.con
    _create_stage(con)
    if path.is_file():
        _SCANS[Path(path)] = FileScan(Path(path))
    try:
        source.con = con
        acts = False  # whether activities are staged yet
        for batch in source.read():
            staged = _stage(con, batch, acts)
            acts = acts or staged > 0 or bool(batch.sql.get("activities")) or _has_rows(batch.activities)
            summary.read += batch.records if batch.records is not None else staged
            if progress:
                progress(loc, summary.read)
        source_id = _upsert_source(ws, cls, loc, path, options, now, fetched, summary.read)
        summary.source_id = source_id
        _merge(ws, source_id, summary, now)
    except UnicodeDecodeError as e:
        raise BadInput(loc, f"byte {e.start}", f"text in {e.encoding}", repr(e.object[e.start:e.start + 8])) from e
    finally:
        scan = _SCANS.pop(Path(path), None)
        if scan is not None:
            scan._thread.join()
    # on error the transaction's rollback drops the staging tables with everything else
    _drop_stage(con)
    summary.bad = list(source.bad_records)
    summary.skipped += len(source.bad_records)
    summary.warnings = list(source.warnings)
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


# ------------------------------------------------------------------------------------------
# staging


def _has_rows(part: Any) -> bool:
    return bool(part) if isinstance(part, list) else part.num_rows > 0


def _create_stage(con: Any) -> None:
    con.execute("""CREATE OR REPLACE TEMP TABLE _stage_identities (channel VARCHAR, key VARCHAR,
        display_name VARCHAR, url VARCHAR, email VARCHAR, is_org BOOLEAN, is_bot BOOLEAN, native VARCHAR, seq BIGINT)""")
    con.execute("""CREATE OR REPLACE TEMP TABLE _stage_activities (id VARCHAR, channel VARCHAR, kind VARCHAR,
        ts TIMESTAMP, actor VARCHAR, actor_channel VARCHAR, thread_id VARCHAR, in_reply_to VARCHAR, target VARCHAR,
        target_channel VARCHAR, url VARCHAR, title VARCHAR, text VARCHAR, lang VARCHAR, native VARCHAR,
        identity_id VARCHAR, target_identity_id VARCHAR, seq BIGINT)""")
    con.execute("""CREATE OR REPLACE TEMP TABLE _stage_events (id VARCHAR, channel VARCHAR, name VARCHAR,
        starts_at TIMESTAMP, ends_at TIMESTAMP, place VARCHAR, url VARCHAR, capacity INTEGER, native VARCHAR, seq BIGINT)""")
    con.execute("CREATE OR REPLACE TEMP SEQUENCE _stage_seq START 1")


def _drop_stage(con: Any) -> None:
    for t in ("identities", "activities", "events"):
        con.execute(f"DROP TABLE IF EXISTS _stage_{t}")
    con.execute("DROP SEQUENCE IF EXISTS _stage_seq")


def _html_text(col: pa.Array) -> pa.Array:
    from ..text import html_to_text

    return pa.array([html_to_text(x) for x in col.to_pylist()], type=pa.string())


def _register_udfs(con: Any) -> None:
    """Register lien's SQL functions unless they are there: connections to one database file
    in one process share its catalog, and a failed CREATE would abort the import's transaction."""
    import duckdb

    if con.execute("SELECT count(*) FROM duckdb_functions() WHERE function_name = 'lien_html_to_text'").fetchall()[0][0]:
        return
    con.create_function("lien_html_to_text", _html_text, [duckdb.sqltype("VARCHAR")], duckdb.sqltype("VARCHAR"),
                        type="arrow", side_effects=False)


def _native(v: dict[str, Any] | None) -> str | None:
    if not v:
        return None
    return orjson.dumps(v, default=str).decode()


def _to_arrow(kind: str, rows: list[Any]) -> pa.Table:
    schema = STAGE_COLUMNS[kind]
    cols: dict[str, list[Any]] = {}
    for name in schema.names:
        if name == "native":
            cols[name] = [_native(r.native) for r in rows]
        else:
            cols[name] = [getattr(r, name) for r in rows]
    return pa.Table.from_pydict(cols, schema=schema)


def stage_text_sql(con: Any, expr: str) -> str:
    """SQL reducing the HTML a bulk text column may hold to plain text (only values with '<' or
    '&' go through the Python function, which :func:`run_import` registers). For bulk importers
    that build the stage themselves."""
    return f"CASE WHEN contains({expr}, '<') OR contains({expr}, '&') THEN lien_html_to_text({expr}) ELSE {expr} END"


_ID = "'id'"


def identity_id_sql(channel: str, key: str, trimmed: bool = False) -> str:
    """SQL giving the identity id of a key on a channel (NULL for a missing or blank key):
    the same as :func:`lien.text.identity_id`. ``trimmed``: the key is known to be NULL or
    without surrounding spaces and not blank (e.g. ``nullif(trim(x), '')``), which saves work."""
    if trimmed:
        low = f"lower({key})"
        norm = f"CASE WHEN {low} LIKE 'http%://%/' THEN rtrim({low}, '/') ELSE {low} END"
        return f"CASE WHEN {key} IS NOT NULL THEN {sql_hash(_ID, channel, norm)} END"
    return f"CASE WHEN {key} IS NULL OR trim({key}) = '' THEN NULL ELSE {_idexpr(channel, key)} END"


#: ``Batch.sql["activities"] = TABLE + name``: a bulk importer's temporary table that becomes the
#: stage itself (no copy). It holds every column of ``STAGE_COLUMNS["activities"]`` (text already
#: reduced with :func:`stage_text_sql`), ``identity_id`` and ``target_identity_id`` (from
#: :func:`identity_id_sql` on ``coalesce(actor_channel, channel)`` / ``actor`` and the target's),
#: and ``seq``: the record's order in the input (last wins among duplicates); other columns are
#: ignored. The loader takes it over: the importer must not use it after yielding.
TABLE = "TABLE "


def _adopt(con: Any, table: str, staged: bool) -> int:
    """Make an importer's table the activities stage, or append it when acts are staged already."""
    cols = ", ".join(STAGE_COLUMNS["activities"].names + ["identity_id", "target_identity_id"])
    if staged:
        return con.execute(f"INSERT INTO _stage_activities ({cols}, seq) "
                           f"SELECT {cols}, nextval('_stage_seq') FROM {table} ORDER BY seq").fetchone()[0]
    con.execute("DROP TABLE _stage_activities")
    con.execute(f"ALTER TABLE {table} RENAME TO _stage_activities")
    n, top = con.execute("SELECT count(*), coalesce(max(seq), 0) FROM _stage_activities").fetchone()
    con.execute(f"CREATE OR REPLACE TEMP SEQUENCE _stage_seq START {int(top) + 1}")
    return int(n)


def _stage(con: Any, batch: Batch, staged: bool = True) -> int:
    """Put a batch in the staging tables; returns the number of activities and events.
    ``staged``: whether activities may be in the stage already (then a table is appended)."""
    n = 0
    adopt = None
    for kind in ("identities", "activities", "events"):
        names = STAGE_COLUMNS[kind].names
        extra = ["identity_id", "target_identity_id"] if kind == "activities" else []
        ids = [_ACTOR_ID, _TARGET_ID] if kind == "activities" else []
        if kind in batch.sql:
            if kind == "activities" and batch.sql[kind].startswith(TABLE):
                adopt = batch.sql[kind][len(TABLE):].strip()
            else:
                cols = list(names)
                if kind == "activities":  # bulk text may hold HTML: reduce it while staging (no UPDATE pass)
                    cols[names.index("text")] = stage_text_sql(con, "text")
                got = con.execute(
                    f"INSERT INTO _stage_{kind} ({', '.join(names + extra)}, seq) "
                    f"SELECT {', '.join(cols + ids)}, nextval('_stage_seq') FROM ({batch.sql[kind]})"
                ).fetchone()[0]
                n += got if kind != "identities" else 0
        part = getattr(batch, kind)
        if isinstance(part, list):
            if not part:
                continue
            table = _to_arrow(kind, part)
        else:
            if part.num_rows == 0:
                continue
            table = part
        n += table.num_rows if kind != "identities" else 0
        present = [n for n in names if n in table.column_names]
        if kind == "activities":  # the stage's identity ids need every key column
            full = ", ".join(c if c in present else f"NULL AS {c}" for c in names)
            sql = (f"INSERT INTO _stage_{kind} ({', '.join(names + extra)}, seq) "
                   f"SELECT {', '.join(names + ids)}, nextval('_stage_seq') FROM (SELECT {full} FROM _batch)")
        else:
            sql = (f"INSERT INTO _stage_{kind} ({', '.join(present)}, seq) "
                   f"SELECT {', '.join(present)}, nextval('_stage_seq') FROM _batch")
        # not con.register(): inside the import's transaction a view registered and unregistered
        # again stays in the catalog until the commit and keeps its Arrow table alive with it
        # (memory grew with the input); a relation's name lives for this one statement. The
        # relational API refuses to run beside a result execute() left unread: discard it first,
        # as the next execute() would
        con.abort()
        con.from_arrow(table).query("_batch", sql)
        del table
    if adopt:  # last: the batch's other SELECTs may read the importer's table
        n += _adopt(con, adopt, staged)
    return n


# ------------------------------------------------------------------------------------------
# merging the stage into the canonical tables

def sql_norm_key(expr: str) -> str:
    """SQL twin of :func:`lien.text.norm_key`."""
    low = f"lower(trim({expr}))"
    return f"CASE WHEN {low} LIKE 'http%://%/' THEN rtrim({low}, '/') ELSE {low} END"


def _idexpr(channel: str, key: str) -> str:
    return sql_hash("'id'", channel, sql_norm_key(key))


#: the identity ids the stage holds beside each act's keys, computed while staging
_ACTOR_ID = identity_id_sql("coalesce(actor_channel, channel)", "actor")
_TARGET_ID = identity_id_sql("coalesce(target_channel, channel)", "target")


_ACT_COLS = ("id", "channel", "identity_id", "kind", "ts", "thread_id", "in_reply_to", "target_identity_id",
             "url", "title", "text", "lang", "source_id", "native")
_EVENT_COLS = ("id", "channel", "name", "starts_at", "ends_at", "place", "url", "capacity", "source_id", "native")


def _merge(ws: Any, source_id: int, s: ImportSummary, now: datetime) -> None:
    con = ws.con
    kinds = ", ".join(f"'{k}'" for k in ACTIVITY_KINDS)
    # one pass over the stage checks it and tells which way to merge
    bad, nots, dups, known = con.execute(f"""
        SELECT any_value(coalesce(kind, 'None')) FILTER (WHERE kind IS NULL OR kind NOT IN ({kinds})),
               count(*) FILTER (WHERE ts IS NULL OR id IS NULL),
               count(*) <> count(DISTINCT hash(id)),  -- a collision only sends it the careful way
               count(*) FILTER (WHERE id IN (SELECT id FROM activities))
        FROM _stage_activities""").fetchone()
    if bad is not None:
        raise BadInput(s.location, "an activity", f"a kind among {', '.join(ACTIVITY_KINDS)}", str(bad))
    if nots:
        raise BadInput(s.location, f"{nots} activities", "an id and a timestamp", "none")

    # people forgotten before stay forgotten: with no tombstone, every key referred to is kept
    tombstoned = con.execute("SELECT count(*) FROM tombstones").fetchone()[0] > 0
    # identities: declared ones plus every key an activity refers to (the stage holds their ids)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ids AS
        WITH declared AS (
            SELECT {_idexpr('channel', 'key')} AS id, channel, {sql_norm_key('key')} AS key, display_name, url,
                   email, coalesce(is_org, false) AS is_org, coalesce(is_bot, false) AS is_bot, native, seq
            FROM _stage_identities WHERE key IS NOT NULL AND trim(key) <> ''
        ), referenced AS (
            SELECT identity_id AS id, any_value(coalesce(actor_channel, channel)) AS channel,
                   {sql_norm_key('any_value(actor)')} AS key, trim(any_value(actor)) AS display_name
            FROM _stage_activities WHERE identity_id IS NOT NULL GROUP BY identity_id
            UNION ALL
            SELECT target_identity_id, any_value(coalesce(target_channel, channel)),
                   {sql_norm_key('any_value(target)')}, trim(any_value(target))
            FROM _stage_activities WHERE target_identity_id IS NOT NULL GROUP BY target_identity_id
        ), allrows AS (
            SELECT * FROM declared
            UNION ALL
            SELECT id, channel, key, display_name, NULL, NULL, false, false, NULL, -1 FROM referenced
        )
        SELECT id, any_value(channel) AS channel, any_value(key) AS key,
               arg_max(display_name, seq) FILTER (WHERE display_name IS NOT NULL) AS display_name,
               arg_max(url, seq) FILTER (WHERE url IS NOT NULL) AS url,
               arg_max(email, seq) FILTER (WHERE email IS NOT NULL) AS email,
               bool_or(is_org) AS is_org, bool_or(is_bot) AS is_bot,
               arg_max(native, seq) FILTER (WHERE native IS NOT NULL) AS native,
               max(seq) >= 0 AS declared
        FROM allrows
        GROUP BY id
        {"" if not tombstoned else "HAVING sha256(any_value(key)) NOT IN (SELECT key_hash FROM tombstones)"}
    """)
    s.identities_added = con.execute("SELECT count(*) FROM _ids WHERE id NOT IN (SELECT id FROM identities)").fetchone()[0]
    if s.identities_added:
        con.execute("""
            INSERT INTO people (id, display_name, role, created_at)
            SELECT id, display_name, CASE WHEN is_bot THEN 'bot' ELSE 'community' END, ?
            FROM _ids WHERE id NOT IN (SELECT id FROM identities) AND id NOT IN (SELECT id FROM people)
        """, [now])
        con.execute("""
            INSERT INTO identities (id, channel, key, display_name, url, email, person_id, is_org, is_bot, source_id, native)
            SELECT id, channel, key, display_name, url, email, id, is_org, is_bot, ?, CAST(native AS JSON)
            FROM _ids WHERE id NOT IN (SELECT id FROM identities)
        """, [source_id])
    con.execute("""
        UPDATE identities AS i SET
            display_name = coalesce(n.display_name, i.display_name),
            url = coalesce(n.url, i.url), email = coalesce(n.email, i.email),
            is_org = i.is_org OR n.is_org, is_bot = i.is_bot OR n.is_bot,
            native = coalesce(CAST(n.native AS JSON), i.native)
        FROM _ids n
        WHERE n.id = i.id AND n.declared AND (
            n.display_name IS DISTINCT FROM i.display_name AND n.display_name IS NOT NULL
            OR n.url IS DISTINCT FROM i.url AND n.url IS NOT NULL
            OR n.email IS DISTINCT FROM i.email AND n.email IS NOT NULL
            OR (n.is_org AND NOT i.is_org) OR (n.is_bot AND NOT i.is_bot))
    """)
    con.execute("DROP TABLE IF EXISTS _ids")

    cols = ", ".join(_ACT_COLS)
    if not dups and not known and not tombstoned:
        # the common first import: every act is new and every key it refers to is an
        # identity now, so the acts go from the stage to the table in one pass
        for kind, n in con.execute("SELECT kind, count(*) FROM _stage_activities GROUP BY ALL ORDER BY ALL").fetchall():
            s.by_kind[kind] = {"added": n, "updated": 0, "unchanged": 0}
            s.added += n
        if s.added:
            _insert_acts(con, f"""
                INSERT INTO activities ({cols})
                SELECT {cols.replace('source_id', '?::INTEGER').replace('native', 'CAST(native AS JSON)')}
                FROM _stage_activities""", [source_id])
    else:
        _merge_acts(con, source_id, s, dups, tombstoned)
    _merge_events(con, source_id, s)


def _insert_acts(con: Any, sql: str, params: list[Any]) -> None:
    """The big insert: the order of the rows in the table is of no meaning, so DuckDB may
    write them from all its threads as they come."""
    con.execute(sql, params)


def _merge_acts(con: Any, source_id: int, s: ImportSummary, dups: bool, tombstoned: bool) -> None:
    """Acts of which some may be known already: each is added, updated or unchanged."""
    acts = "_stage_activities"
    if dups or tombstoned:
        # duplicates inside the input collapse (last wins): the window costs a sort, so
        # it only runs when there are duplicates
        dedup = "QUALIFY row_number() OVER (PARTITION BY id ORDER BY seq DESC) = 1" if dups else ""
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE _acts AS
            SELECT id, channel, identity_id, kind, ts, thread_id, in_reply_to, target_identity_id,
                   url, title, text, lang, native
            FROM _stage_activities
            {dedup}
        """)
        acts = "_acts"
    if tombstoned:  # people forgotten before stay forgotten
        gone = con.execute("""
            SELECT count(*) FROM _acts WHERE identity_id IS NOT NULL AND identity_id NOT IN (SELECT id FROM identities)
        """).fetchone()[0]
        if gone:
            con.execute("DELETE FROM _acts WHERE identity_id IS NOT NULL AND identity_id NOT IN (SELECT id FROM identities)")
            s.skipped += gone
        con.execute("UPDATE _acts SET target_identity_id = NULL WHERE target_identity_id NOT IN (SELECT id FROM identities)")

    differs = " OR ".join(
        f"n.{c} IS DISTINCT FROM a.{c}" for c in _ACT_COLS if c not in ("id", "source_id", "native")
    ) + " OR CAST(n.native AS VARCHAR) IS DISTINCT FROM CAST(a.native AS VARCHAR)"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _act_status AS
        SELECT n.id, n.kind,
               CASE WHEN a.id IS NULL THEN 'added' WHEN {differs} THEN 'updated' ELSE 'unchanged' END AS status
        FROM {acts} n LEFT JOIN activities a ON a.id = n.id
    """)
    for kind, status, n in con.execute("SELECT kind, status, count(*) FROM _act_status GROUP BY ALL ORDER BY ALL").fetchall():
        s.by_kind.setdefault(kind, {"added": 0, "updated": 0, "unchanged": 0})[status] = n
        setattr(s, status, getattr(s, status) + n)
    cols = ", ".join(_ACT_COLS)
    if s.updated:
        con.execute("DELETE FROM activities WHERE id IN (SELECT id FROM _act_status WHERE status = 'updated')")
    if s.added or s.updated:
        _insert_acts(con, f"""
            INSERT INTO activities ({cols})
            SELECT {cols.replace('source_id', '?::INTEGER').replace('native', 'CAST(native AS JSON)')} FROM {acts}
            WHERE id IN (SELECT id FROM _act_status WHERE status <> 'unchanged')
        """, [source_id])

    for t in ("_acts", "_act_status"):
        con.execute(f"DROP TABLE IF EXISTS {t}")


def _merge_events(con: Any, source_id: int, s: ImportSummary) -> None:
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _evs AS
        SELECT id, channel, name, starts_at, ends_at, place, url, capacity, native FROM _stage_events
        QUALIFY row_number() OVER (PARTITION BY id ORDER BY seq DESC) = 1
    """)
    ediff = " OR ".join(f"n.{c} IS DISTINCT FROM e.{c}" for c in _EVENT_COLS if c not in ("id", "source_id", "native"))
    s.events_added, s.events_updated = con.execute(f"""
        SELECT count(*) FILTER (WHERE e.id IS NULL), count(*) FILTER (WHERE e.id IS NOT NULL AND ({ediff}))
        FROM _evs n LEFT JOIN events e ON e.id = n.id
    """).fetchone()
    con.execute(f"""
        INSERT OR REPLACE INTO events ({', '.join(_EVENT_COLS)})
        SELECT id, channel, name, starts_at, ends_at, place, url, capacity, ?, CAST(native AS JSON) FROM _evs n
        WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.id = n.id AND NOT ({ediff}))
    """, [source_id])
    con.execute("DROP TABLE IF EXISTS _evs")


def _upsert_source(
    ws: Any, cls: type[Source], loc: str, path: Path, options: ImportOptions, now: datetime,
    fetched: _Fetched | None, records: int,
) -> int:
    chash = _content_hash(path)
    opts = orjson.dumps({"format": options.format, "channel": options.channel, "mapping": options.mapping,
                         **options.extra}, default=str).decode()
    etag = fetched.etag if fetched else None
    lm = fetched.last_modified if fetched else None
    row = ws.con.execute("SELECT id FROM sources WHERE kind = ? AND location = ?", [cls.name, loc]).fetchone()
    if row:
        ws.con.execute(
            """UPDATE sources SET importer_version = ?, imported_at = ?, records = ?, content_hash = ?,
               etag = ?, last_modified = ?, options = ? WHERE id = ?""",
            [cls.version, now, records, chash, etag, lm, opts, row[0]],
        )
        return int(row[0])
    sid = ws.con.execute("SELECT nextval('source_ids')").fetchone()[0]
    ws.con.execute(
        """INSERT INTO sources (id, kind, location, importer_version, first_imported_at, imported_at, records,
           content_hash, etag, last_modified, options) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [sid, cls.name, loc, cls.version, now, now, records, chash, etag, lm, opts],
    )
    return int(sid)


#: Hooks run inside the import transaction once every input is merged (identity
#: resolution, configuration marks, scoring). Each takes the workspace.
AFTER_IMPORT: list[Callable[[Any], None]] = []


def _after_import(ws: Any) -> None:
    from ..config import apply_marks

    apply_marks(ws)
    for hook in AFTER_IMPORT:
        hook(ws)


def batches(items: Iterator[Any], size: int, kind: str = "activities") -> Iterator[Batch]:
    """Group a stream of records of one kind into batches."""
    buf: list[Any] = []
    for it in items:
        buf.append(it)
        if len(buf) >= size:
            yield Batch(**{kind: buf})
            buf = []
    if buf:
        yield Batch(**{kind: buf})


__all__ = ["run_import", "ImportSummary", "detect", "by_name", "Batch", "Activity", "Identity", "Event",
           "LienError", "STAGE_COLUMNS", "AFTER_IMPORT", "sql_norm_key"]
