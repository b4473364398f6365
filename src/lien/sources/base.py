"""The connector seam: what every importer is and yields.

An importer is a subclass of :class:`Source` with a ``name``, a ``version``, the ``kinds``
it yields, a ``detect`` class method and a ``read`` generator of :class:`Batch` es. The
shared work (fetching URLs, detection, progress, provenance, the transaction, ids, dedup,
idempotent upserts) lives in :mod:`lien.sources.load`, so an importer only reads its format.

Ids are stable: an activity's id is ``short_hash(namespace, native_id)`` where the
namespace defaults to the importer's name; an identity's id is derived from its channel
and normalised key. Importers build ids with :meth:`Source.act_id` and
:meth:`Source.event_id`, and refer to people by identity *key* on a channel.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Iterator

import pyarrow as pa

from ..errors import BadInput, BadRecordInfo
from ..text import html_to_text, short_hash, to_utc_naive


@dataclass(slots=True)
class Identity:
    """One account on one channel."""

    channel: str
    key: str  # handle, e-mail or profile URL; normalised by the loader
    display_name: str | None = None
    url: str | None = None
    email: str | None = None
    is_org: bool = False
    is_bot: bool = False
    native: dict[str, Any] | None = None


@dataclass(slots=True)
class Activity:
    """One act. ``actor`` and ``target`` are identity keys on ``channel`` (or on
    ``actor_channel`` / ``target_channel`` when the person lives on another channel)."""

    id: str
    channel: str
    kind: str
    ts: datetime
    actor: str | None
    thread_id: str | None = None
    in_reply_to: str | None = None
    target: str | None = None
    url: str | None = None
    title: str | None = None
    text: str | None = None
    lang: str | None = None
    native: dict[str, Any] | None = None
    actor_channel: str | None = None
    target_channel: str | None = None


@dataclass(slots=True)
class Event:
    """A gathering; attendance acts point at it with ``thread_id = event.id``."""

    id: str
    channel: str
    name: str | None
    starts_at: datetime | None
    ends_at: datetime | None = None
    place: str | None = None
    url: str | None = None
    capacity: int | None = None
    native: dict[str, Any] | None = None


@dataclass
class Batch:
    """A chunk of records. Each list may instead be a ``pyarrow.Table`` with the staging
    columns (see :data:`lien.sources.load.STAGE_COLUMNS`) for importers that work in bulk."""

    identities: list[Identity] | pa.Table = field(default_factory=list)
    activities: list[Activity] | pa.Table = field(default_factory=list)
    events: list[Event] | pa.Table = field(default_factory=list)
    #: bulk importers: "identities"/"activities"/"events" -> a DuckDB SELECT giving the
    #: staging columns, run on ``Source.con`` (no Python per row)
    sql: dict[str, str] = field(default_factory=dict)
    #: records read from the input, when it differs from activities + events yielded
    records: int | None = None


@dataclass
class ImportOptions:
    """What the user said on the command line."""

    format: str | None = None
    channel: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    skip_bad: bool = False
    chunk_size: int = 50_000
    extra: dict[str, Any] = field(default_factory=dict)  # importer-specific (window for iCal ...)


class Source:
    """Base of every importer. Subclasses set the class attributes and implement
    :meth:`detect` and :meth:`read`."""

    name: ClassVar[str] = ""
    version: ClassVar[str] = "1"
    label: ClassVar[str] = ""  # human name of the format, for --help and docs
    kinds: ClassVar[tuple[str, ...]] = ()
    #: True when the input is a folder or an archive rather than one file
    takes_directory: ClassVar[bool] = False

    def __init__(self, path: Path, options: ImportOptions, location: str | None = None) -> None:
        self.path = Path(path)
        self.location = location or str(self.path)
        self.options = options
        self.bad_records: list[BadRecordInfo] = []
        self.warnings: list[str] = []
        self.namespace = self.name
        #: the workspace's DuckDB connection, set by the loader for bulk importers
        self.con: Any = None

    # -- to implement ----------------------------------------------------------------------
    @classmethod
    def detect(cls, path: Path, head: bytes) -> int:
        """How sure this importer is that it reads ``path`` (0: no; 10: a guess from the
        extension; 50: the content says so; 100: certain). ``head`` holds the first bytes."""
        return 0

    def read(self) -> Iterator[Batch]:
        raise NotImplementedError

    # -- helpers for importers ---------------------------------------------------------------
    def act_id(self, native_id: str | int) -> str:
        return short_hash(self.namespace, str(native_id))

    def event_id(self, native_id: str | int) -> str:
        return short_hash(self.namespace, "event", str(native_id))

    def bad(self, record: str, expected: str, found: Any, file: str | Path | None = None) -> None:
        """Report a bad record: raises :class:`BadInput`, or with ``--skip-bad`` keeps it
        in the list the summary shows and lets the importer go on."""
        err = BadInput(str(file or self.location), record, expected, str(found))
        if not self.options.skip_bad:
            raise err
        self.bad_records.append(err.info)

    def load_json(self, raw: bytes, expected: str, file: str | Path | None = None, *, skippable: bool = True) -> Any:
        """Parse one JSON document; a syntax error names its line and column. ``skippable``:
        with --skip-bad the file is listed and None returned; otherwise it always raises."""
        import json

        import orjson

        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError as e:
            where, msg = f"line {e.lineno}, column {e.colno}", e.msg
            try:  # the standard parser points at where the error starts, orjson where it noticed it
                json.loads(raw.decode("utf-8", errors="replace"))
            except json.JSONDecodeError as precise:
                where, msg = f"line {precise.lineno}, column {precise.colno}", precise.msg
            if not skippable:
                raise BadInput(str(file or self.location), where, expected, msg) from e
            self.bad(where, expected, msg, file=file)
            return None

    def warn(self, message: str) -> None:
        """A problem with the input that does not stop the import (shown in the summary)."""
        self.warnings.append(message)

    @staticmethod
    def text(value: str | None) -> str | None:
        return html_to_text(value)

    @staticmethod
    def utc(dt: datetime | None) -> datetime | None:
        return to_utc_naive(dt) if dt is not None else None

    def default_channel(self, fallback: str) -> str:
        return self.options.channel or fallback

    def open_text(self, path: Path | None = None, encoding: str = "utf-8") -> io.TextIOWrapper:
        return open(path or self.path, encoding=encoding, errors="strict", newline="")
