"""``lien identities`` (suggest, merge, split, reject, undo, list, log) and ``lien forget``."""
from __future__ import annotations

from typing import Any, Optional

import typer

from .. import i18n
from .. import identity as lib
from ..identity.suggest import THRESHOLD  # (Splink itself is imported on first use)
from .app import CsvOpt, JsonOpt, app, ws
from .output import emit, err, out, print_json, print_table

i18n.register({
    "identity.merged": {"en": "Decision #{id}: {a} and {b} are one person now ({person}).",
                        "fr": "Décision n°{id} : {a} et {b} sont désormais une seule personne ({person})."},
    "identity.split": {"en": "Decision #{id}: {a} is a person of its own now ({person}).",
                       "fr": "Décision n°{id} : {a} est désormais une personne à part ({person})."},
    "identity.rejected": {"en": "Decision #{id}: {a} and {b} are not the same person; never suggested again.",
                          "fr": "Décision n°{id} : {a} et {b} ne sont pas la même personne ; plus jamais suggérés."},
    "identity.undone": {"en": "Decision #{id}: decision {what} undone.",
                        "fr": "Décision n°{id} : décision {what} annulée."},
    "identity.no_suggestion": {"en": "No suggestion: no pair of accounts of two people is {pct} likely or more to be "
                                     "one person (--threshold to see less likely ones).",
                               "fr": "Aucune suggestion : aucune paire de comptes de deux personnes n'a {pct} de chances "
                                     "ou plus d'être une seule personne (--threshold pour voir les moins probables)."},
    "identity.suggest_hint": {"en": "Confirm with 'lien identities merge A B', refuse with 'lien identities reject A B'.",
                              "fr": "Confirmez avec « lien identities merge A B », refusez avec « lien identities reject A B »."},
    "identity.forgotten": {"en": "Forgotten: {identities} identities, {acts} acts, {rows} other rows; {keys} keys kept "
                                 "as tombstones (hashes) so that a re-import does not bring them back.",
                           "fr": "Oublié : {identities} identités, {acts} actes, {rows} autres lignes ; {keys} clés "
                                 "gardées en pierres tombales (empreintes) pour qu'un ré-import ne les ramène pas."},
    "identity.confirm_forget": {"en": "Erase {name} ({n} identities) everywhere? This cannot be undone.",
                                "fr": "Effacer {name} ({n} identités) partout ? C'est irréversible."},
    "identity.person": {"en": "Person {id}: {name} ({role})", "fr": "Personne {id} : {name} ({role})"},
    "col.identity": {"en": "identity", "fr": "identité"},
    "col.key": {"en": "key", "fr": "clé"},
    "col.score": {"en": "score", "fr": "score"},
    "col.reasons": {"en": "reasons", "fr": "raisons"},
    "col.action": {"en": "action", "fr": "action"},
    "col.rule": {"en": "rule", "fr": "règle"},
    "col.reason": {"en": "why", "fr": "pourquoi"},
    "col.by": {"en": "by", "fr": "par"},
    "col.when": {"en": "when", "fr": "quand"},
    "col.undone": {"en": "undone", "fr": "annulée"},
    "col.title": {"en": "title", "fr": "titre"},
    "col.text": {"en": "text", "fr": "texte"},
})

identities = typer.Typer(help="One person behind many accounts: suggestions and decisions (merge, split, reject, undo).",
                         no_args_is_help=True)
app.add_typer(identities, name="identities")

ReasonOpt = typer.Option(None, "--reason", "-r", help="Why (kept with the decision).")


def _label(w: Any, ident: str | None) -> str:
    if not ident:
        return ""
    row = w.rows("SELECT channel, key FROM identities WHERE id = ?", [ident])
    return f"{row[0]['channel']}/{row[0]['key']}" if row else ident


@identities.command("suggest")
def suggest(
    limit: int = typer.Option(50, "--limit", "-n", help="How many pairs to show (0: all)."),
    threshold: float = typer.Option(THRESHOLD, "--threshold", min=0.0, max=1.0,
                                    help="Lowest match probability shown (0 to 1): 0.5, more likely one person than two."),
    json: bool = JsonOpt,
    csv: bool = CsvOpt,
) -> None:
    """Likely pairs of identities of one person (Splink), with a score and the reasons."""
    from ..identity.suggest import suggest as run

    rows = run(ws(), threshold=threshold, limit=limit or None)
    if not rows and not (json or csv):
        out.print(i18n.t("identity.no_suggestion", pct=f"{threshold:.0%}"))
        return
    table = [{**r, "a": f"{r['a_channel']}/{r['a_key']}", "b": f"{r['b_channel']}/{r['b_key']}",
              "who": " / ".join(dict.fromkeys(n for n in (r["a_name"], r["b_name"]) if n)),
              "why": ", ".join(i18n.t(f"identity.why.{x}") for x in r["reasons"])} for r in rows]
    emit({"suggestions": rows}, table, [("score", "col.score"), ("who", "col.name"), ("a", "A"), ("b", "B"),
                                        ("why", "col.reasons")],
         as_json=json, as_csv=csv)
    if not (json or csv):
        err.print(i18n.t("identity.suggest_hint"), markup=False)


@identities.command("merge")
def merge(a: str = typer.Argument(..., help="An identity id, key, channel/key, or person id."),
          b: str = typer.Argument(..., help="The other one."), reason: Optional[str] = ReasonOpt,
          json: bool = JsonOpt) -> None:
    """Make A and B one person (the older person id is kept)."""
    w = ws()
    d = lib.merge(w, a, b, reason=reason)
    if json:
        print_json(d)
        return
    out.print(i18n.t("identity.merged", id=d["id"], a=_label(w, d["identity_id"]), b=_label(w, d["other_identity_id"]),
                     person=d["person_id"]), markup=False)


@identities.command("split")
def split(identity: str = typer.Argument(..., help="The identity to take out of its person."),
          reason: Optional[str] = ReasonOpt, json: bool = JsonOpt) -> None:
    """Take one identity out of its person into a new person; rules never merge it back."""
    w = ws()
    d = lib.split(w, identity, reason=reason)
    if json:
        print_json(d)
        return
    out.print(i18n.t("identity.split", id=d["id"], a=_label(w, d["identity_id"]), person=d["person_id"]), markup=False)


@identities.command("reject")
def reject(a: str = typer.Argument(..., help="An identity id, key, channel/key, or person id."),
           b: str = typer.Argument(..., help="The other one."), reason: Optional[str] = ReasonOpt,
           json: bool = JsonOpt) -> None:
    """Record that A and B are different people: never merged by a rule, never suggested again."""
    w = ws()
    d = lib.reject(w, a, b, reason=reason)
    if json:
        print_json(d)
        return
    out.print(i18n.t("identity.rejected", id=d["id"], a=_label(w, d["identity_id"]), b=_label(w, d["other_identity_id"])),
              markup=False)


@identities.command("undo")
def undo(link_id: Optional[int] = typer.Argument(None, help="The decision to undo (default: the last one)."),
         reason: Optional[str] = ReasonOpt, json: bool = JsonOpt) -> None:
    """Undo the last decision, or a given one (see 'lien identities log --all' for rule merges)."""
    d = lib.undo(ws(), link_id, reason=reason)
    if json:
        print_json(d)
        return
    out.print(i18n.t("identity.undone", id=d["id"], what=d["rule"].replace("undo ", "")), markup=False)


@identities.command("list")
def list_(person: str = typer.Argument(..., help="A person id, an identity id or key, or a name."),
          json: bool = JsonOpt, csv: bool = CsvOpt) -> None:
    """A person's identities (every account), with their acts and the decisions about them."""
    w = ws()
    data = lib.identities_of(w, person)
    if json:
        print_json(data)
        return
    rows = data["identities"]
    if csv:
        emit(data, rows, [(c, c) for c in ("id", "channel", "key", "display_name", "email", "url", "acts", "first",
                                           "last")], as_json=False, as_csv=True)
        return
    p = data["person"]
    out.print(i18n.t("identity.person", id=p["id"], name=p.get("display_name") or "", role=p.get("role") or ""),
              markup=False)
    print_table(rows, [("id", "col.identity"), ("channel", "col.channel"), ("key", "col.key"),
                       ("display_name", "col.name"), ("acts", "col.acts"), ("first", "col.first"), ("last", "col.last")])
    if data["decisions"]:
        print_table(data["decisions"], [("id", "#"), ("action", "col.action"), ("rule", "col.rule"),
                                        ("reason", "col.reason"), ("decided_by", "col.by"),
                                        ("decided_at", "col.when"), ("undone_at", "col.undone")])


@identities.command("timeline")
def timeline(person: str = typer.Argument(..., help="A person id, an identity id or key, or a name."),
             limit: int = typer.Option(50, "--limit", "-n", help="How many acts (0: all)."),
             json: bool = JsonOpt, csv: bool = CsvOpt) -> None:
    """A person's acts across all their accounts, newest first."""
    data = lib.timeline(ws(), person, limit=limit or None)
    emit(data, data["acts"], [("ts", "col.when"), ("kind", "col.kind"), ("channel", "col.channel"),
                              ("account", "col.identity"), ("title", "col.title"), ("text", "col.text")],
         as_json=json, as_csv=csv)


@identities.command("log")
def log(all_: bool = typer.Option(False, "--all", help="Also the merges lien made by rule."),
        limit: int = typer.Option(50, "--limit", "-n", help="How many (0: all)."),
        json: bool = JsonOpt, csv: bool = CsvOpt) -> None:
    """Decisions about identities, newest first."""
    rows = lib.decisions(ws(), include_rules=all_, limit=limit or None)
    emit({"decisions": rows}, rows, [("id", "#"), ("action", "col.action"), ("identity_id", "A"),
                                     ("other_identity_id", "B"), ("rule", "col.rule"), ("reason", "col.reason"),
                                     ("decided_by", "col.by"), ("decided_at", "col.when"), ("undone_at", "col.undone")],
         as_json=json, as_csv=csv)


@app.command("forget")
def forget(who: str = typer.Argument(..., help="A person id, an identity id or key (e-mail, handle, URL), or a name."),
           yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
           json: bool = JsonOpt) -> None:
    """Erase a person everywhere (identities, acts, scores, decisions), keeping only hashes of
    their keys so that a re-import does not bring them back."""
    from ..identity.forget import forget as run, preview

    w = ws()
    if not yes:
        p = preview(w, who)
        typer.confirm(i18n.t("identity.confirm_forget", name=p["name"] or p["person_id"], n=p["identities"]),
                      abort=True, err=True)
    res = run(w, who)
    if json:
        print_json(res)
        return
    out.print(i18n.t("identity.forgotten", identities=res["identities"], acts=res["activities"],
                     rows=res["other_rows"], keys=res["tombstones"]), markup=False)
