"""The workspace: one DuckDB file holding the canonical tables, plus its ``lien.toml``."""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import duckdb

from . import schema
from .errors import WorkspaceError

DEFAULT_PATH = "lien.duckdb"


def default_path() -> Path:
    return Path(os.environ.get("LIEN_WORKSPACE") or DEFAULT_PATH)


class Workspace:
    """An open workspace. Create with :func:`lien.open`.

    ``ws.con`` is a DuckDB connection; the tables are documented in ``docs/reference/schema.md``.
    """

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.memory = str(self.path) == ":memory:"
        if not self.memory and read_only and not self.path.exists():
            raise WorkspaceError(f"no workspace at {self.path}: run 'lien init' or 'lien import' first", path=str(self.path))
        try:
            if not self.memory:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self.con = duckdb.connect(":memory:" if self.memory else str(self.path), read_only=read_only)
        except duckdb.Error as e:  # locked by another process, not a DuckDB file ...
            raise WorkspaceError(f"cannot open workspace {self.path}: {e}", path=str(self.path)) from e
        self.con.execute("SET TimeZone = 'UTC'") if _has_icu(self.con) else None
        self._in_tx = False
        self._config: Any = None
        if not self.memory:
            self._apply_settings()
        if not read_only:
            self.migrate()

    # -- database settings ---------------------------------------------------------------
    def _apply_settings(self) -> None:
        """DuckDB's memory limit and spill folder from lien.toml's [workspace] (defaults:
        512 MB, ``<workspace>.tmp``): without a limit DuckDB takes up to 80 % of the RAM, and
        a large import holds that much instead of spilling to disk."""
        from .config import WORKSPACE_DEFAULTS
        from .errors import ConfigError

        try:
            settings = self.config.workspace
        except ConfigError:  # a broken lien.toml is reported by the command that reads it
            settings = WORKSPACE_DEFAULTS
            self._config = None
        for name in ("memory_limit", "temp_directory"):
            value = str(settings.get(name) or "")
            if not value:
                continue
            if name == "temp_directory":
                value = str((self.config_path.parent / Path(value).expanduser()).resolve())
            try:
                self.con.execute(f"SET {name} = '{value.replace(chr(39), chr(39) * 2)}'")
            except duckdb.Error as e:
                self.con.close()
                raise ConfigError(f"{self.config_path}: 'workspace.{name}' expected a DuckDB {name} "
                                  f"(e.g. \"512MB\"), found {value!r}: {str(e).splitlines()[0]}",
                                  file=str(self.config_path), setting=f"workspace.{name}") from e

    # -- schema -------------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        has_meta = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta' AND table_schema = 'main'"
        ).fetchone()[0]
        if not has_meta:
            return 0
        row = self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def migrate(self) -> int:
        """Apply forward migrations; returns the number applied."""
        current = self.schema_version
        if current > schema.SCHEMA_VERSION:
            raise WorkspaceError(
                f"workspace {self.path} has schema version {current}, newer than this lien ({schema.SCHEMA_VERSION}): upgrade lien",
                path=str(self.path),
            )
        applied = 0
        for number in range(current + 1, schema.SCHEMA_VERSION + 1):
            with self.transaction():
                for stmt in schema.MIGRATIONS[number - 1]:
                    self.con.execute(stmt)
                self.con.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(number)]
                )
            applied += 1
        return applied

    # -- transactions ---------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All or nothing. Nested use joins the outer transaction."""
        if self._in_tx:
            yield self.con
            return
        self.con.execute("BEGIN TRANSACTION")
        self._in_tx = True
        try:
            yield self.con
        except duckdb.OutOfMemoryException as e:
            self._in_tx = False
            self.con.execute("ROLLBACK")
            raise self.out_of_memory(e) from e
        except BaseException:
            self._in_tx = False
            self.con.execute("ROLLBACK")
            raise
        else:
            self._in_tx = False
            self.con.execute("COMMIT")

    def out_of_memory(self, e: Exception) -> "WorkspaceError":
        """DuckDB needed more memory than the workspace allows: say which setting to raise."""
        limit = self.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
        return WorkspaceError(
            f"{self.path}: the database needed more memory than allowed (memory_limit = {limit}); nothing was "
            f"changed. Raise it in {self.config_path} under [workspace], e.g. memory_limit = \"4GB\" "
            f"(DuckDB: {str(e).splitlines()[0]})", path=str(self.path), setting="workspace.memory_limit",
            memory_limit=limit)

    # -- helpers ---------------------------------------------------------------------------
    def sql(self, query: str, params: list[Any] | None = None) -> duckdb.DuckDBPyRelation | None:
        return self.con.sql(query, params=params) if params else self.con.sql(query)

    def rows(self, query: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        cur = self.con.execute(query, params or [])
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]

    def scalar(self, query: str, params: list[Any] | None = None) -> Any:
        # fetch everything: with DuckDB 2 a result left half-read blocks the connection for
        # the relational API (Ibis) until the next execute()
        rows = self.con.execute(query, params or []).fetchall()
        return rows[0][0] if rows else None

    def count(self, table: str) -> int:
        return int(self.scalar(f"SELECT count(*) FROM {table}"))

    @property
    def config_path(self) -> Path:
        base = Path.cwd() if self.memory else self.path.resolve().parent
        return base / "lien.toml"

    @property
    def config(self) -> Any:
        if self._config is None:
            from .config import load_config

            self._config = load_config(self.config_path)
        return self._config

    def reload_config(self) -> None:
        self._config = None

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _has_icu(con: duckdb.DuckDBPyConnection) -> bool:
    try:
        con.execute("SELECT current_setting('TimeZone')")
        return True
    except duckdb.Error:
        return False


def open(path: str | Path | None = None, *, read_only: bool = False) -> Workspace:  # noqa: A001
    """Open (and create or migrate) the workspace at ``path`` (default ``./lien.duckdb``)."""
    return Workspace(path, read_only=read_only)
