"""One person behind many accounts: deterministic merges at import, suggestions, human
decisions (merge, split, reject, undo), and privacy (forget, export of one person).

Importing this package registers :func:`resolve.after_import` in
:data:`lien.sources.load.AFTER_IMPORT`, ahead of the hooks that read people (scoring).
Splink, used by :mod:`.suggest`, is imported on first use only.
"""
from __future__ import annotations

from .decisions import decisions, find, identities_of, merge, one_person, reject, split, timeline, undo
from .resolve import after_import, resolve


def register() -> None:
    from ..sources.load import AFTER_IMPORT

    if after_import not in AFTER_IMPORT:
        AFTER_IMPORT.insert(0, after_import)


register()

__all__ = ["resolve", "merge", "split", "reject", "undo", "find", "one_person", "identities_of", "decisions",
           "timeline", "register"]
