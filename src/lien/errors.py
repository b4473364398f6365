"""One exception hierarchy for lien.

Surfaces (CLI, web) turn these into messages and exit codes in one place; the library
never prints or exits. Every error carries structured fields so a surface can show them
in the user's language and a JSON client can read them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class LienError(Exception):
    """Base of every error lien raises on purpose."""

    code = "error"
    #: True when trying again later may work (network, lock); False when the input must change.
    retry = False

    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        self.fields = {k: v for k, v in fields.items() if v is not None}

    def to_dict(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, **{k: _plain(v) for k, v in self.fields.items()}}


def _plain(v: Any) -> Any:
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    return str(v)


class WorkspaceError(LienError):
    code = "workspace"


class ConfigError(LienError):
    code = "config"


class UsageError(LienError):
    """The caller asked for something that does not make sense (unknown person, bad option)."""

    code = "usage"


class NotFound(UsageError):
    code = "not_found"


@dataclass
class BadRecordInfo:
    """Where and why one record of an input could not be read."""

    file: str
    record: str  # "line 12", "item 3 (guid=...)", "byte 4096"
    expected: str
    found: str

    def __str__(self) -> str:
        return f"{self.file}, {self.record}: expected {self.expected}, found {self.found}"


class ImportError_(LienError):
    """Base of import failures (named with a trailing underscore to not shadow the builtin)."""

    code = "import"


class BadInput(ImportError_):
    """One record (or the whole file) is not what the format promises."""

    code = "bad_input"

    def __init__(self, file: str, record: str, expected: str, found: str) -> None:
        self.info = BadRecordInfo(str(file), record, expected, _clip(found))
        super().__init__(str(self.info), file=str(file), record=record, expected=expected, found=self.info.found)


class UnsafeInput(BadInput):
    """XML with entities or DTDs, an archive with path traversal or an absurd size."""

    code = "unsafe_input"


class UnknownFormat(ImportError_):
    code = "unknown_format"


class FetchError(ImportError_):
    code = "fetch"
    retry = True


class MissingExtra(LienError):
    """An optional dependency is needed; the message names the pip extra."""

    code = "missing_extra"

    def __init__(self, module: str, extra: str) -> None:
        super().__init__(
            f"this needs the optional package '{module}': pip install 'lien[{extra}]'",
            module=module,
            extra=extra,
        )


@dataclass
class BadRecords:
    """The bad records met with --skip-bad, kept for the summary."""

    items: list[BadRecordInfo] = field(default_factory=list)


def _clip(s: str, n: int = 120) -> str:
    s = str(s).replace("\n", "\\n")
    return s if len(s) <= n else s[: n - 1] + "…"
