"""``lien evaluate``: the model checked against what people did next."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

from .. import i18n
from .app import JsonOpt, app, state, ws
from .output import out, print_json, print_table

i18n.register({
    "evaluate.title": {"en": "Does the model work?", "fr": "Le modèle fonctionne-t-il ?"},
    "evaluate.summary": {
        "en": "Label: {label} within {horizon} weeks · {n} person-cut-offs ({people} people, {cutoffs} month ends) "
              "· base rate {rate}",
        "fr": "Étiquette : {label} dans les {horizon} semaines · {n} couples personne-date ({people} personnes, "
              "{cutoffs} fins de mois) · taux de base {rate}"},
    "evaluate.chart": {"en": "ROC AUC with 95% interval (person-clustered bootstrap); 0.5 = chance",
                       "fr": "AUC ROC et intervalle à 95 % (bootstrap par personne) ; 0,5 = hasard"},
    "evaluate.col.model": {"en": "model", "fr": "modèle"},
    "evaluate.col.ci": {"en": "95% interval", "fr": "intervalle 95 %"},
    "evaluate.col.delta": {"en": "AUC − pes", "fr": "AUC − pes"},
    "evaluate.col.delta_current": {"en": "AUC − current (95%)", "fr": "AUC − actuel (95 %)"},
    "evaluate.col.what": {"en": "what it is", "fr": "ce que c'est"},
    "evaluate.col.base_rate": {"en": "base rate", "fr": "taux de base"},
    "evaluate.col.setting": {"en": "setting", "fr": "réglage"},
    "evaluate.col.current": {"en": "current", "fr": "actuel"},
    "evaluate.col.best": {"en": "best", "fr": "meilleur"},
    "evaluate.col.gain": {"en": "AUC gain", "fr": "gain d'AUC"},
    "evaluate.col.half_width": {"en": "CI half-width", "fr": "demi-largeur IC"},
    "evaluate.col.verdict": {"en": "verdict", "fr": "verdict"},
    "evaluate.keep": {"en": "keep (gain within the interval)", "fr": "garder (gain dans l'intervalle)"},
    "evaluate.change": {"en": "change (gain beyond the interval)", "fr": "changer (gain au-delà de l'intervalle)"},
    "evaluate.stratum.never_attended": {"en": "Never attended before", "fr": "Jamais venus"},
    "evaluate.stratum.past_attendees": {"en": "Past attendees", "fr": "Déjà venus"},
    "evaluate.stratum.newcomers": {"en": "Newcomers (first act < 13 weeks)", "fr": "Nouveaux (premier acte < 13 semaines)"},
    "evaluate.stratum_small": {"en": "Too few rows, or one class only: not measured.",
                               "fr": "Trop peu de lignes, ou une seule classe : non mesuré."},
    "evaluate.sweep": {"en": "Half-life and saturation sweep (rolling origin)",
                       "fr": "Balayage des demi-vies et des saturations (origine glissante)"},
    "evaluate.rolling": {"en": "Rolling origin: choosing the setting from earlier cut-offs gives AUC {auc} on {n} rows "
                               "(current settings: {current}).",
                         "fr": "Origine glissante : choisir le réglage sur les dates antérieures donne une AUC de {auc} "
                               "sur {n} lignes (réglages actuels : {current})."},
    "evaluate.html_written": {"en": "Report written: {path}", "fr": "Rapport écrit : {path}"},
    "evaluate.constant": {"en": "{models}: the same value for everyone here (AUC 0.5 by construction).",
                          "fr": "{models} : la même valeur pour tous ici (AUC 0,5 par construction)."},
})


def _rows(models: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    from ..evaluate.html import model_rows

    keys = ("model", "auc", "ci", "pr_auc", "p_at_k", "delta", "n")
    return [dict(zip(keys, r)) for r in model_rows(models)]


def _table(models: dict[str, dict[str, Any]], k: int, title: str | None = None) -> None:
    print_table(_rows(models), [("model", "evaluate.col.model"), ("auc", "AUC"), ("ci", "evaluate.col.ci"),
                                ("pr_auc", "PR-AUC"), ("p_at_k", f"P@{k}"), ("delta", "evaluate.col.delta"),
                                ("n", "n")], title=title)


@app.command()
def evaluate(
    horizon_weeks: int = typer.Option(13, "--horizon-weeks", help="How far ahead the label looks, in weeks."),
    label: Optional[str] = typer.Option(None, "--label", help="substantive (a post, comment, reply, message or "
                                        "check-in) or attend (a check-in). Default: attend when people check in "
                                        "here, else substantive."),
    k: int = typer.Option(10, "--k", help="Precision at k: the size of an invitation list."),
    bootstrap: int = typer.Option(2000, "--bootstrap", help="Person-clustered bootstrap resamples (0: no intervals)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the bootstrap."),
    sweep: bool = typer.Option(False, "--sweep", help="Also sweep half-lives {4,8,13,26,52} weeks and k × {0.5,1,2} "
                               "(one scoring run per half-life: slower)."),
    html: Optional[Path] = typer.Option(None, "--html", help="Also write a self-contained HTML page with a chart."),
    json: bool = JsonOpt,
) -> None:
    """Check the model against what people did next: AUC, PR-AUC and precision at k of the PES and
    of simple baselines (likes, past activity, recency, Orbit's Love) on month-end cut-offs."""
    from ..evaluate import evaluate as run
    from ..evaluate.html import render, sweep_head, sweep_rows, verdict_head, verdict_rows

    res = run(ws(), horizon_weeks=horizon_weeks, label=label, k=k, bootstrap=bootstrap, seed=seed, sweep=sweep)
    if html is not None:
        html.write_text(render(res, str(state.workspace)), encoding="utf-8")
    if json:
        print_json(res)
        return
    t = i18n.t
    out.print(t("evaluate.summary", label=res["label"], horizon=res["horizon_weeks"], n=res["n_panel"],
                people=res["n_people"], cutoffs=len(res["cutoffs"]),
                rate=f"{res['base_rate']:.3f}" if res["base_rate"] is not None else "–"))
    for note in res["notes"]:
        out.print(note)
    if res["models"]:
        _table(res["models"], k)
        const = [n for n, m in res["models"].items() if m.get("constant")]
        if const:
            out.print(t("evaluate.constant", models=", ".join(const)))
    for name, s in res["strata"].items():
        title = f"{t('evaluate.stratum.' + name)} (n = {s['n']}, {t('evaluate.col.base_rate')} " \
                f"{s['base_rate']:.3f})" if s["base_rate"] is not None else t("evaluate.stratum." + name)
        if s["models"]:
            _table(s["models"], k, title=title)
        else:
            out.print(f"{title}: {t('evaluate.stratum_small')}")
    if "sweep" in res:
        sw = res["sweep"]
        head = sweep_head()
        print_table([dict(zip(head, r)) for r in sweep_rows(sw)], [(h, h) for h in head], title=t("evaluate.sweep"))
        ro = sw["rolling_origin"]
        if ro["n"]:
            out.print(t("evaluate.rolling", auc=f"{ro['auc']:.3f}", n=ro["n"], current=f"{ro['current_auc']:.3f}"))
        vh = verdict_head()
        print_table([dict(zip(vh, r)) for r in verdict_rows(sw)], [(h, h) for h in vh])
    if html is not None:
        out.print(t("evaluate.html_written", path=html))
