"""``lien demo``: a sample community written as real exports and imported."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from .. import i18n
from .app import JsonOpt, app, ws
from .output import out, print_json

i18n.register({
    "demo.written": {"en": "Sample community: {org}, {people} people, {first} to {last}, written to {out}/",
                     "fr": "Communauté d'exemple : {org}, {people} personnes, du {first} au {last}, écrite dans {out}/"},
    "demo.workspace": {"en": "Imported into {workspace} (who \"we\" are: {config})",
                       "fr": "Importée dans {workspace} (qui est « nous » : {config})"},
    "demo.fallback": {"en": "note: this lien has no '{format}' importer yet: the {part} came in through the generic "
                            "JSON Lines stand-in ({path})",
                      "fr": "remarque : ce lien n'a pas encore d'importeur « {format} » : {part} est entré par "
                            "l'équivalent JSON Lines générique ({path})"},
    "demo.this_week": {"en": "What to do this week", "fr": "À faire cette semaine"},
    "demo.answer": {"en": "Answer {people}: {total} comments or messages from the last {days} days still wait "
                          "for our reply (lien inbox)",
                    "fr": "Répondre à {people} : {total} commentaires ou messages des {days} derniers jours attendent "
                          "notre réponse (lien inbox)"},
    "demo.welcome": {"en": "Welcome the newcomers: {people} ({total} in all)",
                     "fr": "Accueillir les nouveaux : {people} ({total} en tout)"},
    "demo.invite": {"en": "Invite to the next meetup those who only take part online: {people} ({total} in all)",
                    "fr": "Inviter au prochain rendez-vous ceux qui ne participent qu'en ligne : {people} "
                          "({total} en tout)"},
    "demo.reconnect": {"en": "Get back in touch with people drifting away: {people} ({total} in all: lien cooling)",
                       "fr": "Reprendre contact avec ceux qui s'éloignent : {people} ({total} en tout : lien cooling)"},
    "demo.thank": {"en": "Thank your standard-bearers and prescribers: {people} (lien advocates)",
                   "fr": "Remercier vos porte-étendards et prescripteurs : {people} (lien advocates)"},
    "demo.next": {"en": "Next: lien serve (the dashboard, in your browser) · lien status · lien people · lien identities suggest (one person, several accounts) · lien --help",
                  "fr": "Ensuite : lien serve (le tableau de bord, dans votre navigateur) · lien status · lien people · lien identities suggest (une personne, plusieurs comptes) · lien --help"},
})


@app.command()
def demo(
    out_dir: Path = typer.Option(Path("lien-demo"), "--out", "-o", help="Folder to write the sample exports into."),
    json: bool = JsonOpt,
) -> None:
    """Write a sample community (a French repair café: blog, Mastodon, monthly meetups, two years
    ending last week) as real exports into a folder, and import it into the workspace.

    The workspace must be new or hold only an earlier demo, which is replaced; a lien.toml naming
    the association's accounts and staff is written beside it."""
    from ..demo import run
    from ..demo.texts import ORG_NAME
    from .data import show_summaries

    w = ws()
    result = run(w, out_dir)
    if json:
        print_json(result.to_dict())
        return
    show_summaries([_relative(s) for s in result.imports], False)
    out.print(i18n.t("demo.written", org=ORG_NAME, people=result.people, first=result.first_day,
                     last=result.last_day, out=str(result.out).rstrip("/")), markup=False)
    out.print(i18n.t("demo.workspace", workspace=result.workspace, config=result.config), markup=False)
    for p in result.parts:
        if p.fallback:
            out.print(i18n.t("demo.fallback", format=p.name if p.name != "blog" else "wxr", part=p.name,
                             path=p.paths[0]), markup=False)
    if result.advice:
        _print_advice(result.advice)
    out.print(i18n.t("demo.next"), markup=False)


def _relative(summary: Any) -> Any:
    """The summary with its location shown relative to the current folder (shorter tables)."""
    import copy
    import os

    s = copy.copy(summary)
    try:
        rel = os.path.relpath(s.location)
    except ValueError:
        return s
    if not rel.startswith(".."):
        s.location = rel
    return s


def _print_advice(advice: list[dict[str, Any]]) -> None:
    out.print("")
    out.print(i18n.t("demo.this_week"), style="bold", markup=False)
    for item in advice:
        fields = {k: v for k, v in item.items() if k not in ("action", "people")}
        line = i18n.t(f"demo.{item['action']}", people=", ".join(item["people"]), **fields)
        out.print(f"  • {line}", markup=False)
    out.print("")
