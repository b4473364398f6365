"""Turning what people wrote into safe plain text, and small normalisers shared by importers."""
from __future__ import annotations

import hashlib
import html
import re
from datetime import datetime, timezone

import nh3

_BLOCK = re.compile(r"(?i)<\s*(br|/p|/div|/li|/h[1-6]|/blockquote|/tr|hr)\b[^>]*>")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_NEWLINES = re.compile(r"\s*\n\s*(\n\s*)+")


def html_to_text(value: str | None) -> str | None:
    """Reduce HTML to plain text: tags dropped (scripts and styles with their content),
    entities decoded, block ends kept as line breaks. Never returns markup."""
    if value is None:
        return None
    if "<" not in value and "&" not in value:
        return _tidy(value)
    marked = _BLOCK.sub("\n", value)
    cleaned = nh3.clean(marked, tags=set(), clean_content_tags={"script", "style"}, strip_comments=True)
    return _tidy(html.unescape(cleaned))


def _tidy(s: str) -> str | None:
    s = _SPACES.sub(" ", s)
    s = _NEWLINES.sub("\n\n", s)
    s = "\n".join(line.strip() for line in s.split("\n")).strip()
    return s or None


def norm_key(key: str) -> str:
    """The normalised identity key: trimmed, lower case, a trailing slash off URLs."""
    k = key.strip().lower()
    if k.startswith(("http://", "https://")) and k.endswith("/"):
        k = k.rstrip("/")
    return k


def short_hash(*parts: str) -> str:
    """The stable id scheme shared by Python and SQL: first 20 hex digits of md5 of the
    parts joined by ':' (see :func:`sql_hash`)."""
    return hashlib.md5(":".join(parts).encode("utf-8")).hexdigest()[:20]


def sql_hash(*exprs: str) -> str:
    """SQL expression computing :func:`short_hash` of SQL expressions in DuckDB."""
    joined = " || ':' || ".join(f"CAST({e} AS VARCHAR)" for e in exprs)
    return f"substr(md5({joined}), 1, 20)"


def identity_id(channel: str, key: str) -> str:
    return short_hash("id", channel, norm_key(key))


def to_utc_naive(dt: datetime) -> datetime:
    """A UTC timestamp without tzinfo (naive input is taken as UTC)."""
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
    return dt
