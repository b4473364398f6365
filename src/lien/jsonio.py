"""JSON for every surface (CLI --json, the web's JSON twins, the report): one encoder."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson


def default(v: Any) -> Any:
    """What orjson cannot encode by itself: dates as ISO 8601, decimals as floats, sets as lists."""
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, (set, frozenset, tuple)):
        return list(v)
    return str(v)


def dumps(data: Any, *, indent: bool = False) -> bytes:
    option = orjson.OPT_NON_STR_KEYS | (orjson.OPT_INDENT_2 if indent else 0)
    return orjson.dumps(data, default=default, option=option)
