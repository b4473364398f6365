"""Temporal edge list: one ``from to timestamp`` line per message between two people.

The fields are separated by any whitespace (spaces, tabs, several of them); lines starting
with ``#`` or ``%`` are comments (SNAP and KONECT files have them); a first line whose third
field is not a time is a header and is skipped. Times are Unix seconds (milliseconds when
larger than 10^11) or ISO 8601 (``2024-03-01T10:00:00Z``, or a date and a time as two
fields). Fields after the timestamp (a weight …) are kept in ``native.extra``.

Each line becomes a ``message`` act from the first node to the second (its ``target``); node
ids are the identities' keys. Two identical lines are two messages: an act's id is the hash
of (from, to, time, and its rank among identical lines), stable when the file grows.

The whole file is read by DuckDB (``read_csv``) and turned into acts in SQL: no Python per line.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar, Iterator

import duckdb

from ..errors import BadInput
from ..i18n import register, t
from ..text import sql_hash
from .base import Batch, Source
from .tabular import _Tabular

register({
    "edgelist.expected": {"en": "'from to timestamp' separated by whitespace (Unix or ISO time)",
                          "fr": "« source cible horodatage » séparés par des blancs (heure Unix ou ISO)"},
    "edgelist.header": {"en": "line {line} taken as a header: {text}",
                        "fr": "ligne {line} prise pour un en-tête : {text}"},
})

_EDGE = re.compile(rb"^\s*\S+\s+\S+\s+([0-9]{1,13}(\.[0-9]+)?|[0-9]{4}-[0-9]{2}-[0-9]{2}\S*)(\s+\S+)*\s*$")


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


class EdgeListSource(Source):
    name = "edgelist"
    version = "1"
    label = "Temporal edge list (from to timestamp)"
    kinds: ClassVar[tuple[str, ...]] = ("message",)

    @classmethod
    def detect(cls, path: Path, head: bytes) -> int:
        if path.is_dir() or path.suffix.lower() not in (".txt", ".tsv", ".edges", ".el", ".csv", ""):
            return 0
        lines = [ln for ln in head.split(b"\n")[:-1] if ln.strip() and not ln.lstrip().startswith((b"#", b"%"))][:20]
        if len(lines) >= 2 and all(_EDGE.match(ln) for ln in lines[1:]) and path.suffix.lower() != ".csv":
            return 40
        return 0

    def read(self) -> Iterator[Batch]:
        con = self.con
        channel = self.default_channel(f"edgelist:{self.path.stem}")
        self.namespace = f"{self.name}:{channel.split(':', 1)[-1]}"
        try:
            con.execute(f"""
                CREATE OR REPLACE TEMP TABLE _el_raw AS
                SELECT row_number() OVER () AS n, line
                FROM read_csv({_lit(str(self.path))}, columns = {{'line': 'VARCHAR'}}, header = false,
                              delim = chr(1), quote = '', escape = '', auto_detect = false)""")
        except duckdb.OutOfMemoryException:
            raise  # not the file's fault: the workspace says which setting to raise
        except duckdb.Error as e:
            raise BadInput(self.location, "the file", t("edgelist.expected"), str(e).splitlines()[0]) from e
        try:
            yield from self._acts(channel)
        finally:
            for tname in ("_el_raw", "_el"):
                try:
                    con.execute(f"DROP TABLE IF EXISTS {tname}")
                except duckdb.TransactionException:
                    pass  # the import failed: its rollback drops the staging tables

    def _acts(self, channel: str) -> Iterator[Batch]:
        con = self.con
        two = "len(p) >= 4 AND regexp_full_match(p[3], '[0-9]{4}-[0-9]{2}-[0-9]{2}') " \
              "AND regexp_full_match(p[4], '[0-9]{1,2}:[0-9]{2}.*')"
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE _el AS
            SELECT n, p[1] AS src, p[2] AS dst, ts_raw, {_Tabular._ts_sql('ts_raw', self.options.extra.get('ts_format'))} AS ts,
                   CASE WHEN len(p) > k THEN CAST(to_json(p[k + 1:]) AS VARCHAR) END AS extra
            FROM (SELECT n, p, CASE WHEN {two} THEN p[3] || ' ' || p[4] ELSE p[3] END AS ts_raw,
                         CASE WHEN {two} THEN 4 ELSE 3 END AS k
                  FROM (SELECT n, regexp_split_to_array(trim(line), '\\s+') AS p FROM _el_raw
                        WHERE trim(coalesce(line, '')) <> '' AND NOT starts_with(ltrim(line), '#')
                              AND NOT starts_with(ltrim(line), '%')))""")
        first = con.execute("SELECT n, ts, src || ' ' || dst || ' ' || coalesce(ts_raw, '') FROM _el ORDER BY n LIMIT 1").fetchone()
        if first is not None and first[1] is None:
            self.warn(t("edgelist.header", line=first[0], text=first[2].strip()))
            con.execute("DELETE FROM _el WHERE n = ?", [first[0]])
        bad = con.execute("""SELECT n, src, dst, ts_raw FROM _el WHERE ts IS NULL OR dst IS NULL
                             ORDER BY n LIMIT 1000""").fetchall()
        for n, src, dst, ts_raw in bad:
            self.bad(f"line {n}", t("edgelist.expected"),
                     repr(" ".join(x for x in (src, dst, ts_raw) if x)))
        records = con.execute("SELECT count(*) FROM _el").fetchone()[0]
        if bad:
            con.execute("DELETE FROM _el WHERE ts IS NULL OR dst IS NULL")
        ns = _lit(self.namespace)
        rank = "row_number() OVER (PARTITION BY src, dst, ts_raw ORDER BY n)"
        acts = f"""
            SELECT {sql_hash(ns, 'src', 'dst', 'ts_raw', 'rank')} AS id, {_lit(channel)} AS channel,
                   'message' AS kind, ts, src AS actor, NULL AS actor_channel, NULL AS thread_id,
                   NULL AS in_reply_to, dst AS target, NULL AS target_channel, NULL AS url, NULL AS title,
                   NULL AS text, NULL AS lang,
                   CASE WHEN extra IS NOT NULL THEN '{{"extra":' || extra || '}}' END AS native
            FROM (SELECT *, {rank} AS rank FROM _el)"""
        yield Batch(sql={"activities": acts}, records=records)


__all__ = ["EdgeListSource"]
