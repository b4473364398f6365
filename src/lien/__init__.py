"""lien: the quality of the bonds between an organisation and its community.

    >>> import lien
    >>> ws = lien.open("lien.duckdb")
    >>> ws.con.sql("SELECT kind, count(*) FROM activities GROUP BY ALL")
"""
from __future__ import annotations

from .errors import LienError
from .workspace import Workspace, open

__version__ = "0.1.0"
__all__ = ["open", "Workspace", "LienError", "__version__"]
