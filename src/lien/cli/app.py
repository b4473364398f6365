"""The Typer application and the options every command shares."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import typer

from .. import i18n
from ..workspace import Workspace, default_path

app = typer.Typer(
    name="lien",
    help="lien: the quality of the bonds between an organisation and its community.\n\n"
         "Import your channels (feeds, blog exports, calendars, meetups, CSV), then see who to answer, "
         "thank, invite and reconnect with.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


@dataclass
class State:
    workspace: Path
    lang: str | None = None
    _ws: Workspace | None = None

    def open(self, *, read_only: bool = False) -> Workspace:
        if self._ws is None:
            self._ws = Workspace(self.workspace)
        return self._ws


state = State(workspace=default_path())


@app.callback()
def _main(
    workspace: Optional[Path] = typer.Option(
        None, "--workspace", "-w", envvar="LIEN_WORKSPACE",
        help="The workspace file (default ./lien.duckdb; or LIEN_WORKSPACE).", show_default=False),
    lang: Optional[str] = typer.Option(
        None, "--lang", help="Language of messages: en or fr (default: from LANG).", show_default=False),
) -> None:
    state.workspace = workspace or default_path()
    state._ws = None
    if lang is not None:
        if lang not in i18n.LANGS:
            raise typer.BadParameter(f"'{lang}' is not one of: {', '.join(i18n.LANGS)}", param_hint="--lang")
    i18n.set_lang(lang)


def ws() -> Workspace:
    return state.open()


JsonOpt = typer.Option(False, "--json", help="Print JSON instead of a table.")
CsvOpt = typer.Option(False, "--csv", help="Print CSV instead of a table.")


def opt(*a: Any, **k: Any) -> Any:
    return typer.Option(*a, **k)
