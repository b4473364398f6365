"""The model's commands: score, people, person, levels, advocates, ties, cooling."""
from __future__ import annotations

from typing import Any, Optional

import typer

from .. import i18n
from .app import CsvOpt, JsonOpt, app, ws
from .output import emit, out, print_json, print_table

i18n.register({
    "model.scored": {"en": "Scored weeks {start} → {end} ({weeks} weeks): {rows} person-weeks, {ties} pair-weeks.",
                     "fr": "Semaines calculées {start} → {end} ({weeks} semaines) : {rows} personnes-semaines, "
                           "{ties} paires-semaines."},
    "model.up_to_date": {"en": "Scores are up to date.", "fr": "Les scores sont à jour."},
    "model.as_of": {"en": "Week ending {date}", "fr": "Semaine se terminant le {date}"},
    "model.none": {"en": "Nobody here for this week.", "fr": "Personne pour cette semaine."},
    "level.observer": {"en": "Observer", "fr": "Observateur"},
    "level.participant": {"en": "Participant", "fr": "Participant"},
    "level.regular": {"en": "Regular", "fr": "Habitué"},
    "level.standard_bearer": {"en": "Standard-bearer", "fr": "Porte-étendard"},
    **{f"kind.{k}": {"en": k, "fr": fr} for k, fr in (
        ("post", "publication"), ("comment", "commentaire"), ("reply", "réponse"), ("message", "message"),
        ("mention", "mention"), ("share", "partage"), ("like", "j'aime"), ("follow", "abonnement"),
        ("rsvp_yes", "inscription"), ("rsvp_no", "désistement"), ("rsvp_maybe", "peut-être"),
        ("waitlist", "liste d'attente"), ("attend", "présence"), ("no_show", "absence"), ("volunteer", "bénévole"),
        ("speak", "intervention"), ("host", "organisation"))},
    "role.community": {"en": "community", "fr": "communauté"},
    "role.staff": {"en": "staff", "fr": "équipe"},
    "role.bot": {"en": "bot", "fr": "robot"},
    "tag.new": {"en": "new", "fr": "nouveau"},
    "tag.offline-only": {"en": "offline only", "fr": "hors-ligne seulement"},
    "tag.online-only": {"en": "online only", "fr": "en ligne seulement"},
    "tag.cooling": {"en": "cooling", "fr": "refroidissement"},
    "tag.prescriber": {"en": "prescriber", "fr": "prescripteur"},
    "comp.offline": {"en": "Offline presence", "fr": "Présence hors-ligne"},
    "comp.conversation": {"en": "Conversation", "fr": "Conversation"},
    "comp.reciprocity": {"en": "Reciprocity", "fr": "Réciprocité"},
    "comp.regularity": {"en": "Regularity", "fr": "Régularité"},
    "comp.breadth": {"en": "Breadth", "fr": "Multicanal"},
    "comp.light": {"en": "Light signals", "fr": "Signaux légers"},
    "col.pes": {"en": "PES", "fr": "score"},
    "col.level": {"en": "level", "fr": "niveau"},
    "col.tags": {"en": "tags", "fr": "étiquettes"},
    "col.last_seen": {"en": "last seen", "fr": "vu pour la dernière fois"},
    "col.component": {"en": "component", "fr": "composante"},
    "col.raw": {"en": "raw", "fr": "brut"},
    "col.value": {"en": "value", "fr": "valeur"},
    "col.points": {"en": "points", "fr": "points"},
    "col.month": {"en": "month", "fr": "mois"},
    "col.members": {"en": "members", "fr": "membres"},
    "col.gravity": {"en": "gravity", "fr": "gravité"},
    "col.up": {"en": "moved up", "fr": "montés"},
    "col.held": {"en": "held", "fr": "restés"},
    "col.down": {"en": "moved down", "fr": "descendus"},
    "col.new": {"en": "new", "fr": "nouveaux"},
    "col.left": {"en": "left", "fr": "partis"},
    "col.reason": {"en": "why", "fr": "pourquoi"},
    "col.score": {"en": "score", "fr": "score"},
    "col.band": {"en": "band", "fr": "force"},
    "col.online": {"en": "online", "fr": "en ligne"},
    "col.offline": {"en": "offline", "fr": "hors-ligne"},
    "col.last_interaction": {"en": "last interaction", "fr": "dernière interaction"},
    "col.rhythm": {"en": "usual rhythm (days)", "fr": "rythme habituel (jours)"},
    "col.silent": {"en": "silent (days)", "fr": "silencieux (jours)"},
    "col.last_exchange": {"en": "last exchange", "fr": "dernier échange"},
    "band.strong": {"en": "strong", "fr": "fort"},
    "band.medium": {"en": "medium", "fr": "moyen"},
    "band.weak": {"en": "weak", "fr": "faible"},
    "band.dormant": {"en": "dormant", "fr": "en sommeil"},
    "person.level": {"en": "Level: {level}", "fr": "Niveau : {level}"},
    "person.next": {"en": "To become {level}: {needs}", "fr": "Pour devenir {level} : {needs}"},
    "person.accounts": {"en": "Accounts: {accounts}", "fr": "Comptes : {accounts}"},
    "person.timeline": {"en": "Latest acts, all accounts", "fr": "Derniers actes, tous comptes confondus"},
    "col.when": {"en": "when", "fr": "quand"},
    "person.changes": {"en": "Since last week:", "fr": "Depuis la semaine dernière :"},
    "person.no_change": {"en": "No change since last week.", "fr": "Aucun changement depuis la semaine dernière."},
    "person.total": {"en": "Total", "fr": "Total"},
    "levels.flow": {"en": "Flow {month} (from the month before)", "fr": "Flux {month} (depuis le mois précédent)"},
})

AsOf = typer.Option(None, "--as-of", help="The week containing this date YYYY-MM-DD (default: the last complete week).")


def _lv(level: str) -> str:
    return i18n.t(f"level.{level}")


def _num_col(rows: list[dict[str, Any]], key: str, digits: int = 1) -> None:
    """Numbers of a table column as the language writes them (3,26 in French), aligned right."""
    cells = ["" if r[key] is None else i18n.num(r[key], digits) for r in rows]
    width = max(map(len, cells), default=0)
    for r, c in zip(rows, cells):
        r[key] = c.rjust(width)


def _tags(tags: list[str]) -> str:
    return ", ".join(i18n.t(f"tag.{t}") for t in tags)


@app.command()
def score(full: bool = typer.Option(False, "--full", help="Recompute every week, not only those new data touched."),
          json: bool = JsonOpt) -> None:
    """Compute the weekly snapshots of the model (an import does it too)."""
    from ..metrics.snapshots import score as run

    s = run(ws(), full=full)
    if json:
        print_json(s.to_dict())
    elif s.weeks:
        out.print(i18n.t("model.scored", start=s.from_week, end=s.to_week, weeks=s.weeks, rows=s.rows, ties=s.ties))
    else:
        out.print(i18n.t("model.up_to_date"))


@app.command()
def people(
    as_of: Optional[str] = AsOf,
    level: Optional[str] = typer.Option(None, "--level", help="Only this level: observer, participant, regular, "
                                        "standard_bearer (or N0..N3)."),
    tag: Optional[str] = typer.Option(None, "--tag", help="Only people with this tag: new, offline-only, online-only, "
                                      "cooling, prescriber."),
    channel: Optional[str] = typer.Option(None, "--channel", help="Only people who acted on this channel."),
    sort: str = typer.Option("pes", "--sort", help="pes, level, last, name or prescriber."),
    limit: int = typer.Option(50, "--limit", "-n", help="How many people to show (0: all)."),
    json: bool = JsonOpt,
    csv: bool = CsvOpt,
) -> None:
    """People with their engagement score (PES), level, tags and last seen."""
    from ..metrics.persons import people as list_people

    data = list_people(ws(), as_of=as_of, level=level, tag=tag, channel=channel, sort=sort, limit=limit or None)
    rows = [{**r, "level_label": _lv(r["level"]), "tag_labels": _tags(r["tags"]),
             "role_label": i18n.t(f"role.{r['role']}")} for r in data["people"]]
    if not (json or csv):
        _num_col(rows, "pes")
    if not (json or csv):
        out.print(i18n.t("model.as_of", date=data["as_of"]))
    emit(data, rows, [("name", "col.name"), ("pes", "col.pes"), ("level_label", "col.level"),
                      ("tag_labels", "col.tags"), ("role_label" if not csv else "role", "col.role"),
                      ("last_seen", "col.last_seen")],
         as_json=json, as_csv=csv)


@app.command()
def person(
    who: str = typer.Argument(..., help="A person id, an e-mail/handle, or (a unique part of) a name."),
    as_of: Optional[str] = AsOf,
    explain: bool = typer.Option(False, "--explain", help="Show each component with its raw counts, and what changed."),
    timeline: int = typer.Option(10, "--timeline", "-t", help="How many of their latest acts to list, across all "
                                 "their accounts (0: none)."),
    json: bool = JsonOpt,
) -> None:
    """One person's score, level and tags, and their latest acts on every channel; --explain shows where every
    point comes from."""
    from ..identity import timeline as get_timeline
    from ..metrics.persons import person as get

    w = ws()
    d = get(w, who, as_of=as_of)
    acts = get_timeline(w, d["person_id"], limit=timeline)["acts"] if timeline else []
    d["timeline"] = acts
    d["accounts"] = w.rows("SELECT channel, key, display_name FROM identities WHERE person_id = ? ORDER BY channel, key",
                           [d["person_id"]])
    if json:
        print_json(d)
        return
    out.print(f"[bold]{d['name']}[/] · {i18n.t('model.as_of', date=d['as_of'])}", highlight=False)
    out.print(f"{i18n.t('col.pes')} {i18n.num(d['pes'], 1)} · {i18n.t('person.level', level=_lv(d['level']))}"
              + (f" · {_tags(d['tags'])}" if d["tags"] else ""), markup=False)
    if explain:
        rows = [{"component": i18n.t(f"comp.{x['component']}"), "raw": x["note"], "value": x["value"],
                 "points": x["points"]} for x in d["details"]]
        rows.append({"component": i18n.t("person.total"), "raw": "", "value": None, "points": d["pes"]})
        _num_col(rows, "value", 2)
        _num_col(rows, "points")
        print_table(rows, [("component", "col.component"), ("raw", "col.raw"), ("value", "col.value"),
                           ("points", "col.points")])
        if d["changes"]:
            out.print(i18n.t("person.changes"))
            for c in d["changes"]:
                out.print(f"  {c['text']}", markup=False)
        else:
            out.print(i18n.t("person.no_change"))
    if d["next_level"] and d["next_level"]["needs"]:
        needs = i18n.t("levels.sep").join(d["next_level"]["needs"])
        out.print(i18n.t("person.next", level=_lv(d["next_level"]["level"]), needs=needs),
                  markup=False)
    if len(d["accounts"]) > 1:
        out.print(i18n.t("person.accounts", accounts=", ".join(f"{a['channel']} {a['key']}" for a in d["accounts"])),
                  markup=False)
    if acts:
        print_table([{**a, "what": a["title"] or (a["text"] or "")[:80], "kind_label": i18n.t(f"kind.{a['kind']}")}
                     for a in acts],
                    [("ts", "col.when"), ("kind_label", "col.kind"), ("channel", "col.channel"), ("what", "")],
                    title=i18n.t("person.timeline"))


@app.command()
def levels(as_of: Optional[str] = AsOf,
           months: int = typer.Option(6, "--months", help="How many months to show."),
           json: bool = JsonOpt) -> None:
    """People per level per month, the month-over-month flow table, and gravity."""
    from ..metrics.levels import LEVELS, levels as get

    d = get(ws(), as_of=as_of, months=months)
    if json:
        print_json(d)
        return
    rows = [{"month": m["month"], "members": m["members"], **{_lv(k): v for k, v in m["counts"].items()},
             "gravity": m["gravity"]} for m in d["months"]]
    print_table(rows, [("month", "col.month"), ("members", "col.members"), *[(_lv(k), _lv(k)) for k in LEVELS],
                       ("gravity", "col.gravity")])
    if d["months"]:
        last = d["months"][-1]
        flow = [{"level": _lv(k), **v} for k, v in last["flow"].items()]
        print_table(flow, [("level", "col.level"), ("up", "col.up"), ("held", "col.held"), ("down", "col.down"),
                           ("new", "col.new"), ("left", "col.left")], title=i18n.t("levels.flow", month=last["month"]))


@app.command()
def advocates(as_of: Optional[str] = AsOf, json: bool = JsonOpt, csv: bool = CsvOpt) -> None:
    """Standard-bearers and prescribers, each with the reason in one line."""
    from ..metrics.levels import advocates as get

    d = get(ws(), as_of=as_of)
    rows = [{**r, "level_label": _lv(r["level"])} for r in d["advocates"]]
    if not (json or csv):
        _num_col(rows, "pes")
    emit(d, rows, [("name", "col.name"), ("level_label", "col.level"), ("pes", "col.pes"), ("reason", "col.reason")],
         as_json=json, as_csv=csv)


@app.command()
def ties(who: Optional[str] = typer.Argument(None, help="A person (default: the organisation)."),
         as_of: Optional[str] = AsOf,
         limit: int = typer.Option(20, "--limit", "-n", help="How many ties to show (0: all)."),
         json: bool = JsonOpt, csv: bool = CsvOpt) -> None:
    """The strongest ties of a person, or of the organisation, banded strong/medium/weak/dormant."""
    from ..metrics.persons import resolve
    from ..metrics.ties import ties as get

    w = ws()
    d = get(w, resolve(w, who) if who else None, as_of=as_of, limit=limit or None)
    rows = [{**r, "band_label": i18n.t(f"band.{r['band']}")} for r in d["ties"]]
    emit(d, rows, [("name", "col.name"), ("score", "col.score"), ("band_label", "col.band"), ("online", "col.online"),
                   ("offline", "col.offline"), ("last_interaction", "col.last_interaction")], as_json=json, as_csv=csv)


@app.command()
def cooling(as_of: Optional[str] = AsOf, json: bool = JsonOpt, csv: bool = CsvOpt) -> None:
    """Who is drifting away, against their own usual rhythm, with their last exchange."""
    from ..metrics.cooling import cooling as get

    d = get(ws(), as_of=as_of)
    rows = []
    for r in d["cooling"]:
        last = r["last_exchange"] or {}
        kind = i18n.t(f"kind.{last['kind']}") if last.get("kind") else ""
        rows.append({**r, "level_label": _lv(("observer", "participant", "regular", "standard_bearer")[r["level"]]),
                     "last": f"{kind} {last.get('about') or ''} ({_fmt_ts(last.get('ts'))})".strip()})
    if not rows and not (json or csv):
        out.print(i18n.t("model.none"))
        return
    emit(d, rows, [("name", "col.name"), ("level_label", "col.level"), ("usual_rhythm_days", "col.rhythm"),
                   ("silent_days", "col.silent"), ("last", "col.last_exchange")], as_json=json, as_csv=csv)


def _fmt_ts(v: Any) -> str:
    return v.strftime("%Y-%m-%d") if v is not None else ""
