"""Generic CSV and JSON Lines, with a column mapping, loaded in bulk by DuckDB.

Any tool's export can come in: name which column holds what with ``--map``, e.g.
``--map kind=type,ts=date,actor=user_email,text=body``. Fields:

============  =====================================================================
field         meaning
============  =====================================================================
id            the record's own id (default: a hash of the mapped values)
kind          one of the activity kinds (required; ``--kind-map`` renames values)
ts            when: ISO 8601, a date, or Unix seconds/milliseconds (required)
actor         who did it: handle, e-mail or profile URL (empty: anonymous)
actor_name    their display name;  actor_email, actor_url: more about them
channel       the channel (default: ``--channel`` or the file's name)
thread        id of the thread's first post; in_reply_to: id of the parent record
target        whom it addresses (identity key)
event         id of the event an attendance act is about; event_name, event_start,
              event_end, event_place describe it
url, title, text, lang
============  =====================================================================

A column named like a field is used for it without being mapped; a value in single
quotes is a constant (``--map "kind='attend'"``); ``a.b`` reads a nested JSON field.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any, ClassVar, Iterator

import duckdb
import orjson

from ..errors import BadInput
from ..schema import ACTIVITY_KINDS
from ..text import sql_hash
from .base import Batch, Source
from .load import TABLE, identity_id_sql, scan_file, stage_text_sql

FIELDS = (
    "id", "kind", "ts", "actor", "actor_name", "actor_email", "actor_url", "channel", "thread",
    "in_reply_to", "target", "url", "title", "text", "lang",
    "event", "event_name", "event_start", "event_end", "event_place",
)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class _Tabular(Source):
    kinds: ClassVar[tuple[str, ...]] = ACTIVITY_KINDS
    reader: ClassVar[str] = ""

    def _raw_sql(self, types: list[tuple[str, str]] | None = None) -> str:
        """The reader; with ``types`` (the columns :meth:`_columns` found) it samples nothing."""
        raise NotImplementedError

    def _columns(self) -> list[tuple[str, str]]:
        """The reader's columns and their types, from its sample of the file."""
        return [(r[0], r[1]) for r in self.con.execute(f"DESCRIBE SELECT * FROM {self._raw_sql()}").fetchall()]

    def _check_raw(self, n_raw: int) -> None:
        """Called with the number of records DuckDB read, to find records it dropped."""

    def _empty_sql(self, cols: list[str]) -> str:
        """SQL telling a record the reader could not parse (JSON Lines: a row of nulls)."""
        return "false"

    def read(self) -> Iterator[Batch]:
        con = self.con
        try:  # the reader's columns, from its sample: the file itself is read once, below
            types = self._columns()
        except duckdb.OutOfMemoryException:
            raise  # not the file's fault: the workspace says which setting to raise
        except duckdb.Error as e:
            raise BadInput(self.location, "the file", f"{self.label}", str(e).splitlines()[0]) from e
        cols = [c for c, _ in types]
        lower = {c.lower(): c for c in cols}
        mapping = dict(self.options.mapping)
        for f in FIELDS:
            if f not in mapping and f in lower:
                mapping[f] = lower[f]
        for f, src in mapping.items():
            if f not in FIELDS:
                raise BadInput(self.location, "--map", f"a field among {', '.join(FIELDS)}", f)
            if not (src.startswith("'") and src.endswith("'")) and src.split(".")[0] not in cols:
                raise BadInput(self.location, "the header", f"a column '{src}' for {f} (columns: {', '.join(cols)})", "no such column")
        for req in ("kind", "ts"):
            if req not in mapping:
                raise BadInput(self.location, "the header", f"a column for '{req}' (use --map {req}=COLUMN)",
                               f"columns {', '.join(cols)}")
        if "actor" not in mapping:
            for alt in ("actor_email", "actor_url", "actor_name"):
                if alt in mapping:
                    mapping["actor"] = mapping[alt]
                    break

        typed_as = dict(types or [])

        def val(f: str) -> str:
            src = mapping.get(f)
            if src is None:
                return "NULL"
            if src.startswith("'") and src.endswith("'") and len(src) >= 2:
                return _lit(src[1:-1])
            expr = ".".join(_q(p) for p in src.split("."))
            if typed_as.get(src) == "JSON":  # a field of mixed types (1740819600 and "2025-03-01"):
                # its strings without their JSON quotes, the rest as JSON text
                return f"nullif(trim(json_extract_string({expr}, '$')), '')"
            return f"nullif(trim(CAST({expr} AS VARCHAR)), '')"

        channel = val("channel") if "channel" in mapping else _lit(self.default_channel(self.path.stem))
        ns = _lit(f"{self.name}:{self.options.channel or self.path.stem}")
        kind_map = self.options.extra.get("kind_map") or {}
        kind = f"lower({val('kind')})"
        if kind_map:
            whens = " ".join(f"WHEN {_lit(k.lower())} THEN {_lit(v)}" for k, v in kind_map.items())
            kind = f"CASE {kind} {whens} ELSE {kind} END"
        ts_fmt = self.options.extra.get("ts_format")
        v_ts = val("ts")
        ts = self._ts_sql(v_ts, ts_fmt)
        typed = dict(types).get(mapping["ts"], "")
        ts_raw = v_ts
        if not ts_fmt and typed in ("TIMESTAMP WITH TIME ZONE", "TIMESTAMP", "DATE"):
            # the reader parsed the times already: the same instants as parsing their text again
            col = _q(mapping["ts"])
            ts = (f"CAST({col} AT TIME ZONE 'UTC' AS TIMESTAMP)" if typed == "TIMESTAMP WITH TIME ZONE"
                  else f"CAST({col} AS TIMESTAMP)")
            # ts_raw is kept where ts is NULL, and a typed time is NULL exactly when ts is: it was
            # always NULL (formatting and trimming every time for it cost ~0.2 s CPU per 1M records)
            ts_raw = "NULL::VARCHAR"

        def trimmed(f: str) -> bool:  # val(f) is NULL or trimmed and not blank
            src = mapping.get(f)
            return src is None or not (src.startswith("'") and src.endswith("'"))
        native_cols = [c for c in cols if c not in {m.split(".")[0] for m in mapping.values()}]
        native = (f"CAST(to_json(struct_pack({', '.join(f'{_q(c)} := {_q(c)}' for c in native_cols)})) AS VARCHAR)"
                  if native_cols else "NULL")
        id_expr = (sql_hash(ns, val("id")) if "id" in mapping else
                   sql_hash(ns, *[f"coalesce({val(f)}, '')" for f in ("kind", "ts", "actor", "thread", "in_reply_to",
                                                                       "target", "event", "url", "text")]))
        kinds = ", ".join(_lit(k) for k in ACTIVITY_KINDS)
        has_ids = any(f in mapping for f in ("actor_name", "actor_email", "actor_url"))
        has_events = "event" in mapping
        # one pass over the file computes the stage itself: every field, the ids, the text made
        # plain (the reader runs in parallel; the loader takes the table over, no copy)
        extra = (["actor_name", "actor_email", "actor_url"] if has_ids else []) + (
            ["event", "event_name", "event_start", "event_end", "event_place"] if has_events else [])
        try:
            n_raw = con.execute(f"""
                CREATE OR REPLACE TEMP TABLE _tab AS
                SELECT id, channel, kind, ts, actor, NULL::VARCHAR AS actor_channel,
                       CASE WHEN event IS NOT NULL THEN {sql_hash(ns, "'event'", 'event')}
                            WHEN thread IS NOT NULL THEN {sql_hash(ns, 'thread')} END AS thread_id,
                       CASE WHEN in_reply_to IS NOT NULL THEN {sql_hash(ns, 'in_reply_to')} END AS in_reply_to,
                       target, NULL::VARCHAR AS target_channel, url, title, {stage_text_sql(con, 'text')} AS text,
                       lang, native, {identity_id_sql('channel', 'actor', trimmed('actor'))} AS identity_id,
                       {identity_id_sql('channel', 'target', trimmed('target'))} AS target_identity_id, _row AS seq,
                       {''.join(f'{c}, ' for c in extra)}
                       CASE WHEN ts IS NULL THEN ts_raw END AS ts_raw, _empty,
                       NOT _empty AND (kind IS NULL OR kind NOT IN ({kinds})) AS bad_kind,
                       NOT _empty AND (kind IS NULL OR kind NOT IN ({kinds}) OR ts IS NULL) AS _bad
                FROM (
                    SELECT __lien_row AS _row, {id_expr} AS id, {channel} AS channel, {kind} AS kind,
                           {ts_raw} AS ts_raw, {ts} AS ts,
                           {val('actor')} AS actor, {val('actor_name')} AS actor_name,
                           {val('actor_email')} AS actor_email, {val('actor_url')} AS actor_url,
                           {val('thread')} AS thread, {val('in_reply_to')} AS in_reply_to,
                           {val('target')} AS target, {val('url')} AS url, {val('title')} AS title,
                           {val('text')} AS text, {val('lang')} AS lang, {val('event')} AS event,
                           {val('event_name')} AS event_name,
                           {self._ts_sql(val('event_start'), ts_fmt)} AS event_start,
                           {self._ts_sql(val('event_end'), ts_fmt)} AS event_end,
                           {val('event_place')} AS event_place, {native} AS native,
                           {self._empty_sql(cols)} AS _empty
                    FROM (SELECT row_number() OVER () AS __lien_row, * FROM {self._raw_sql(types)})
                )
            """).fetchone()[0]
        except duckdb.OutOfMemoryException:
            raise  # not the file's fault: the workspace says which setting to raise
        except duckdb.Error as e:
            raise BadInput(self.location, "the file", f"{self.label}", str(e).splitlines()[0]) from e
        self._check_raw(n_raw)
        self._check_rows()
        sql = {"activities": TABLE + "_tab"}
        if has_ids:
            # one row per account (the last record's name, URL and e-mail win), not one per act
            sql["identities"] = """
                SELECT channel, actor AS key, arg_max(actor_name, seq) AS display_name,
                       arg_max(actor_url, seq) AS url, arg_max(actor_email, seq) AS email,
                       false AS is_org, false AS is_bot, NULL AS native
                FROM _tab WHERE actor IS NOT NULL GROUP BY channel, actor"""
        if has_events:
            sql["events"] = f"""
                SELECT {sql_hash(ns, "'event'", 'event')} AS id, any_value(channel) AS channel,
                       coalesce(any_value(event_name), event) AS name,
                       coalesce(min(event_start), min(ts)) AS starts_at, max(event_end) AS ends_at,
                       any_value(event_place) AS place, NULL AS url, NULL::INTEGER AS capacity, NULL AS native
                FROM _tab WHERE event IS NOT NULL GROUP BY event"""
        try:
            yield Batch(sql=sql, records=n_raw)
        finally:
            con.execute("DROP TABLE IF EXISTS _tab")

    @staticmethod
    def _ts_sql(v: str, fmt: str | None) -> str:
        if v == "NULL":
            return "NULL::TIMESTAMP"
        if fmt:
            return f"CAST(try_strptime({v}, {_lit(fmt)}) AS TIMESTAMP)"
        return f"""CASE
            WHEN NOT contains({v}, ':') AND regexp_full_match({v}, '-?[0-9]+(\\.[0-9]+)?')
              THEN CAST(to_timestamp(CAST({v} AS DOUBLE) / CASE WHEN abs(CAST({v} AS DOUBLE)) > 1e11 THEN 1000 ELSE 1 END) AT TIME ZONE 'UTC' AS TIMESTAMP)
            ELSE CAST(try_cast({v} AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS TIMESTAMP) END"""

    def _check_rows(self) -> None:
        bad = self.con.execute("SELECT seq, kind, ts_raw, bad_kind FROM _tab WHERE _bad ORDER BY seq").fetchall()
        for row, kind, ts_raw, bad_kind in bad:
            where = self._record_name(row)
            if bad_kind:
                self.bad(where, f"a kind among {', '.join(ACTIVITY_KINDS)} (or --kind-map)", repr(kind))
            else:
                self.bad(where, "a timestamp (ISO 8601, a date or Unix time; or --ts-format)", repr(ts_raw))
        if bad:  # skipped (--skip-bad): the table becomes the stage, so they leave it
            self.con.execute("DELETE FROM _tab WHERE _bad")

    def _record_name(self, row: int) -> str:
        return f"record {row}"




class CsvSource(_Tabular):
    """Generic CSV (any delimiter DuckDB's sniffer recognises), with a header row."""

    name = "csv"
    label = "CSV with a header row"
    version = "1"

    @classmethod
    def detect(cls, path: Path, head: bytes) -> int:
        if path.suffix.lower() in (".csv", ".tsv"):
            return 10
        return 0

    _reader: str = ""

    def _columns(self) -> list[tuple[str, str]]:
        # the sniffer's dialect and columns, spelled as a reader that does not sniff again
        cols, prompt = self.con.execute(
            f"SELECT Columns, Prompt FROM sniff_csv({_lit(str(self.path))}, header = true, all_varchar = true)"
        ).fetchone()
        prompt = prompt.strip().rstrip(";")
        self._reader = prompt[len("FROM "):] if prompt.startswith("FROM read_csv(") else ""
        return [(c["name"], c["type"]) for c in cols]

    def _raw_sql(self, types: list[tuple[str, str]] | None = None) -> str:
        if types and self._reader:
            return self._reader
        return f"read_csv({_lit(str(self.path))}, header = true, all_varchar = true, auto_detect = true)"

    def _record_name(self, row: int) -> str:
        return f"row {row} (line {row + 1})"


class JsonLinesSource(_Tabular):
    """JSON Lines: one JSON object per line."""

    name = "jsonl"
    label = "JSON Lines (one object per line)"
    version = "1"

    @classmethod
    def detect(cls, path: Path, head: bytes) -> int:
        if path.suffix.lower() in (".jsonl", ".ndjson"):
            return 20
        first = head.lstrip().split(b"\n", 1)[0].strip()
        if path.suffix.lower() == ".json" and first.startswith(b"{") and first.endswith(b"}") and b"\n" in head.strip():
            return 5
        return 0

    def _raw_sql(self, types: list[tuple[str, str]] | None = None) -> str:
        # lenient, so that a bad line does not abort the import's transaction; the lines
        # DuckDB dropped are then found and reported by _check_raw
        columns = ""
        if types:  # the columns found by DESCRIBE: the file is not sampled a second time
            columns = ", columns = {" + ", ".join(f"{_lit(c)}: {_lit(t)}" for c, t in types) + "}"
        return f"read_json({_lit(str(self.path))}, format = 'newline_delimited', ignore_errors = true{columns})"

    def _check_raw(self, n_raw: int) -> None:
        lines = scan_file(self.path).lines  # counted beside DuckDB's read
        if lines != n_raw:  # blank lines, or lines DuckDB dropped: count again, carefully
            lines = self._count_lines(blank_lines=True)
        # ignore_errors turns a malformed line into a row of nulls
        empty = self.con.execute("SELECT count(*) FROM _tab WHERE _empty").fetchone()[0]
        if lines != n_raw or empty:
            before = len(self.bad_records)
            self._scan_lines()
            if len(self.bad_records) == before and lines != n_raw:
                self.bad("the file", f"{lines} JSON objects, one per line", f"{n_raw} readable")
            self.con.execute("DELETE FROM _tab WHERE _empty")

    def _empty_sql(self, cols: list[str]) -> str:
        return "(" + " AND ".join(f"{_q(c)} IS NULL" for c in cols) + ")" if cols else "true"

    def _count_lines(self, blank_lines: bool) -> int:
        """Lines holding something; ``blank_lines=False`` counts every line (fast: no regex)."""
        lines = 0
        blank = re.compile(rb"(?m)^[ \t\r]*\n")
        with open(self.path, "rb") as f:
            tail = b""
            while chunk := f.read(1 << 24):
                chunk = tail + chunk
                cut = chunk.rfind(b"\n") + 1
                body, tail = chunk[:cut], chunk[cut:]
                lines += body.count(b"\n") - (len(blank.findall(body)) if blank_lines else 0)
            if tail.strip():
                lines += 1
        return lines

    def _scan_lines(self) -> None:
        with open(self.path, "rb") as f:
            for n, line in enumerate(f, 1):
                s = line.strip()
                if not s:
                    continue
                try:
                    obj = orjson.loads(s)
                except orjson.JSONDecodeError as e:
                    self.bad(f"line {n}", "one JSON object", f"{s[:60]!r} ({e})")
                    continue
                if not isinstance(obj, dict):
                    self.bad(f"line {n}", "one JSON object", type(obj).__name__)

    def _record_name(self, row: int) -> str:
        return f"record {row}"


__all__ = ["CsvSource", "JsonLinesSource", "FIELDS", "csv"]
