"""``lien report``: the monthly slow report as one self-contained HTML file (or PDF)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .. import i18n
from .app import JsonOpt, app, ws
from .output import out, print_json

i18n.register({
    "report.written": {"en": "Report for {month} (as of the week ending {week}) written: {path} ({kb} kB)",
                       "fr": "Rapport de {month} (semaine finissant le {week}) écrit : {path} ({kb} ko)"},
})


@app.command()
def report(
    month: Optional[str] = typer.Option(None, "--month", help="The month YYYY-MM (default: the last complete month)."),
    output: Path = typer.Option(Path("report.html"), "--output", "-o", help="The file to write."),
    pdf: bool = typer.Option(False, "--pdf", help="Write a PDF instead (needs the pdf extra: WeasyPrint)."),
    json: bool = JsonOpt,
) -> None:
    """The monthly slow report: what changed in the ladder, who moved up, advocates and prescribers,
    responsiveness and presence against the goals, events, people to reconnect, channels going quiet.
    One HTML file with its charts and styles inside: open it, print it, mail it."""
    from ..report import write

    res = write(ws(), output, month, pdf=pdf)
    if json:
        print_json(res)
    else:
        out.print(i18n.t("report.written", month=res["month"], week=res["as_of"], path=res["path"],
                         kb=round(res["bytes"] / 1024)), markup=False)
