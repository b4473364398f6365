"""Rendering results: tables on a terminal, JSON or CSV for pipes, errors on stderr."""
from __future__ import annotations

import csv
import sys
from datetime import datetime
from typing import Any, Iterable, Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .. import i18n, jsonio
from ..errors import BadInput, LienError

# On a terminal rich fits tables to its width; in a pipe or a file (no width to fit) they are
# printed unsqueezed rather than folded into 80 columns.
out = Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 240)
err = Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 240)


def dumps(data: Any) -> str:
    return jsonio.dumps(data, indent=True).decode()


def print_json(data: Any) -> None:
    sys.stdout.write(dumps(data) + "\n")


def fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M") if (v.hour or v.minute) else v.strftime("%Y-%m-%d")
    if isinstance(v, float):
        return f"{v:.1f}"
    if isinstance(v, dict):
        return ", ".join(f"{k} {fmt(x)}" for k, x in v.items())
    if isinstance(v, (list, tuple)):
        return ", ".join(fmt(x) for x in v)
    return str(v)


def print_table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]], title: str | None = None) -> None:
    """``columns``: (key in the row, heading: an i18n key or a literal)."""
    table = Table(title=title, show_edge=False, header_style="bold")
    for key, heading in columns:
        justify = "right" if rows and isinstance(rows[0].get(key), (int, float)) else "left"
        table.add_column(i18n.t(heading), justify=justify, overflow="fold")
    for r in rows:
        table.add_row(*(fmt(r.get(k)) for k, _ in columns))
    out.print(table)


def print_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str] | None = None) -> None:
    rows = list(rows)
    cols = list(columns or (rows[0].keys() if rows else []))
    w = csv.writer(sys.stdout)
    w.writerow(cols)
    for r in rows:
        w.writerow([_csv_cell(r.get(c)) for c in cols])


def _csv_cell(v: Any) -> Any:
    if isinstance(v, (dict, list)):
        return dumps(v).replace("\n", "")
    if isinstance(v, datetime):
        return v.isoformat()
    return v


def emit(data: Any, rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]], *, as_json: bool,
         as_csv: bool = False, title: str | None = None) -> None:
    if as_json:
        print_json(data)
    elif as_csv:
        print_csv(rows, [c for c, _ in columns])
    else:
        print_table(rows, columns, title=title)


def print_error(e: LienError) -> None:
    if isinstance(e, BadInput):
        msg = i18n.t("bad_input", **e.info.__dict__)
    else:
        msg = e.message
    err.print(f"[bold red]{i18n.t('error')}{' :' if i18n.get_lang() == 'fr' else ':'}[/] {escape(msg)}", markup=True,
              highlight=False)
    if isinstance(e, BadInput) or e.code in ("import", "unknown_format", "fetch"):
        err.print(i18n.t("workspace_unchanged"))
