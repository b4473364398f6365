"""XML without surprises: no DTD entities (billion laughs), no external entities (XXE).

Every XML importer parses through :func:`iterparse` (streaming, for large exports) or
checks the file with :func:`refuse_entities` before handing it to another parser
(feedparser). A file that declares entities is rejected with :class:`UnsafeInput`.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse as _defused_iterparse

from ..errors import BadInput, UnsafeInput

_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
_DOCTYPE_SUBSET = re.compile(rb"<!DOCTYPE[^>\[]*\[", re.IGNORECASE)


def refuse_entities(path: Path, location: str | None = None, head_bytes: int = 1 << 16) -> None:
    """Reject a file whose prolog declares entities or an internal DTD subset."""
    with open(path, "rb") as f:
        head = f.read(head_bytes)
    # the prolog ends where the root element starts; look only there
    if _ENTITY.search(head) or _DOCTYPE_SUBSET.search(head):
        raise UnsafeInput(location or str(path), "the document type declaration",
                          "XML without entity declarations", "<!ENTITY …> (refused: entity expansion, XXE)")


def iterparse(path: Path, events: tuple[str, ...] = ("end",), location: str | None = None) -> Iterator[tuple[str, Any]]:
    """Stream (event, element) pairs like ElementTree.iterparse, refusing DTD entities and
    external references, and turning parse errors into :class:`BadInput` with the line."""
    import xml.etree.ElementTree as ET

    where = location or str(path)
    try:
        for ev, el in _defused_iterparse(str(path), events=events, forbid_dtd=False, forbid_entities=True,
                                         forbid_external=True):
            yield ev, el
    except DefusedXmlException as e:
        raise UnsafeInput(where, "the document type declaration", "XML without entity declarations",
                          f"{type(e).__name__} (refused: entity expansion, XXE)") from e
    except ET.ParseError as e:
        line, col = getattr(e, "position", (0, 0))
        raise BadInput(where, f"line {line}, column {col}", "well-formed XML", str(e).split(":")[0]) from e
