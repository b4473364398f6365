"""The report's own words (the dashboard's are reused for the rest)."""
from __future__ import annotations

from .. import i18n

M = {
    "report.title": ("Slow report · {month}", "Rapport lent · {month}"),
    "report.sub": ("{org} · the month of {month} and its quarter {q} · measured at the week ending {week}",
                   "{org} · le mois de {month} et son trimestre {q} · mesuré à la semaine finissant le {week}"),
    "report.intro": ("No daily scoreboard: what changed this month, who to thank, who to call, and where we stand "
                     "against our goals.",
                     "Pas de tableau de bord quotidien : ce qui a changé ce mois-ci, qui remercier, qui appeler, et où "
                     "nous en sommes de nos objectifs."),
    "report.headlines": ("In short", "En bref"),
    "report.members": ("{n} people took part this month; {n2} regulars and {n3} standard-bearers.",
                       "{n} personnes ont participé ce mois-ci ; {n2} habitués et {n3} porte-étendards."),
    "report.gravity_up": ("The ladder rose (gravity {g}).", "L'échelle monte (gravité {g})."),
    "report.gravity_down": ("The ladder fell (gravity {g}).", "L'échelle descend (gravité {g})."),
    "report.gravity_flat": ("The ladder held (gravity {g}).", "L'échelle tient (gravité {g})."),
    "report.moved_up_n": ("{n} person moved up a level.|{n} people moved up a level.",
                          "{n} personne est montée d'un niveau.|{n} personnes sont montées d'un niveau."),
    "report.resp_line": ("{cl} of the messages addressed to us were answered within 72 h (13 weeks); median reply "
                         "{med} h.",
                         "{cl} des messages qui nous sont adressés ont eu une réponse sous 72 h (13 semaines) ; "
                         "réponse médiane {med} h."),
    "report.quiet_line": ("Going quiet: {names}.", "S'éteint : {names}."),
    "report.events_line": ("{n} event this month.|{n} events this month.",
                           "{n} événement ce mois-ci.|{n} événements ce mois-ci."),
    "report.colon": (": ", " : "),
    "report.sep": ("; ", " ; "),
    "report.ladder": ("1. The ladder", "1. L'échelle"),
    "report.moved_up": ("Who moved up", "Qui est monté"),
    "report.none_up": ("Nobody moved up this month.", "Personne n'est monté ce mois-ci."),
    "report.advocates": ("2. Standard-bearers and prescribers", "2. Porte-étendards et prescripteurs"),
    "report.no_advocates": ("No standard-bearer or prescriber this month.",
                            "Aucun porte-étendard ni prescripteur ce mois-ci."),
    "report.against_goals": ("3. Responsiveness and presence, against the goals",
                             "3. Réactivité et présence, face aux objectifs"),
    "report.no_goals": ("No goal set (lien goals add --defaults, or the Goals page).",
                        "Aucun objectif (lien goals add --defaults, ou la page Objectifs)."),
    "report.events": ("4. Events", "4. Événements"),
    "report.reconnect": ("5. People to reconnect with", "5. Personnes à recontacter"),
    "report.quiet": ("6. Channels going quiet", "6. Canaux qui s'éteignent"),
    "report.no_quiet": ("No channel is going quiet.", "Aucun canal ne s'éteint."),
    "report.from_to": ("{a} → {b}", "{a} → {b}"),
    "report.made_by": ("Made by lien on {date}, from the data up to the week ending {week}. Personal data: keep "
                       "this file among the organisers.",
                       "Produit par lien le {date}, avec les données jusqu'à la semaine finissant le {week}. Données "
                       "personnelles : gardez ce fichier entre organisateurs."),
}

i18n.register({k: {"en": en, "fr": fr} for k, (en, fr) in M.items()})
