"""French texts of the sample community: names, post titles, comments, toots.

Everything is picked with the caller's seeded ``random.Random`` so a run is reproducible.
"""
from __future__ import annotations

import random
import re

ORG_NAME = "Répar'Lien"
ORG_LONG = "Répar'Lien, le repair café de la Croix-Rousse"
SITE = "https://reparlien.example"
INSTANCE = "mastodon.example"
MEETUP_GROUP = "repar-lien-croix-rousse"
PLACE = "Maison des associations, 28 rue Denfert-Rochereau, 69004 Lyon"

FIRST_NAMES = [
    "Alice", "Antoine", "Arthur", "Aurélie", "Baptiste", "Bernadette", "Bruno", "Cécile", "Charlotte", "Christian",
    "Claire", "Clément", "Corinne", "Damien", "Delphine", "Denis", "Élodie", "Émile", "Emma", "Fabrice", "Fatima",
    "Florence", "François", "Gaëlle", "Gilles", "Guillaume", "Hervé", "Isabelle", "Jacques", "Jérôme", "Josiane",
    "Kévin", "Laurence", "Louis", "Lucie", "Madeleine", "Malik", "Margaux", "Martine", "Mathieu", "Maxime",
    "Mélanie", "Michel", "Monique", "Nathalie", "Nicolas", "Noémie", "Odile", "Pascal", "Patrick", "Philippe",
    "Quentin", "Raphaël", "Romain", "Samia", "Sébastien", "Simone", "Solène", "Stéphane", "Sylvie", "Théo",
    "Valérie", "Victor", "Vincent", "Virginie", "Yasmine", "Yves", "Aïcha", "Bastien", "Gérard", "Jade",
    "Loïc", "Mireille", "Paul", "Rose", "Tristan", "Hamid", "Agnès", "Benoît", "Colette", "Diane",
]
LAST_NAMES = [
    "Martin", "Bernard", "Thomas", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent", "Simon",
    "Michel", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard", "Bonnet", "Dupont",
    "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Lefèvre", "Faure", "André", "Mercier", "Blanc",
    "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand", "Gauthier", "Garcia", "Perrin", "Robin",
    "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson", "Marchand", "Duval",
    "Denis", "Dumont", "Marie", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier", "Brun", "Blanchard",
    "Giraud", "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud", "Martinez", "Gérard",
    "Roche", "Renard", "Schmitt", "Roy", "Leroux", "Colin", "Vidal", "Caron", "Picard", "Roger", "Aubert",
]
MAIL_DOMAINS = ["example.org", "example.net", "example.com"]

OBJECTS = [
    "grille-pain", "lampe de chevet", "aspirateur", "machine à coudre", "cafetière", "radio", "bouilloire",
    "ordinateur portable", "vélo", "sèche-cheveux", "mixeur", "imprimante", "chaise", "jouet en bois",
    "platine vinyle", "téléphone", "ventilateur", "fer à repasser", "trottinette", "robot pâtissier",
]
PANNES = [
    "ne s'allume plus", "fait un bruit bizarre", "chauffe trop", "a un faux contact", "s'arrête au bout de "
    "cinq minutes", "a le câble abîmé", "ne tourne plus", "fuit un peu", "a un bouton cassé",
]
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]

POST_TITLES = [
    "Retour sur le Repair Café de {mois} : {n} objets réparés",
    "Tutoriel : changer le câble d'un {objet}",
    "Pourquoi réparer plutôt que jeter ?",
    "Appel aux bénévoles : on cherche des couturières et des couturiers",
    "Témoignage : mon {objet} a une seconde vie",
    "Les cinq pannes les plus fréquentes du {objet}",
    "L'indice de réparabilité, comment le lire ?",
    "Agenda : le prochain Repair Café, samedi {jour} {mois}",
    "Atelier vélo : réglez vos freins avant l'hiver",
    "Nos outils : la caisse à outils partagée s'agrandit",
    "Portrait de bénévole : {prenom}, la reine du fer à souder",
    "Le bonus réparation, mode d'emploi",
    "Ce que nous avons appris en réparant {n} {objet}s",
    "Déchets électroniques : où déposer ce qui ne se répare pas ?",
    "Un nouveau partenariat avec la recyclerie du quartier",
    "Assemblée générale : le bilan de l'année",
    "Réparer en famille : un atelier pour les enfants",
    "Petit guide pour démonter un {objet} sans rien casser",
]

POST_BODY = [
    "<p>Samedi dernier, la Maison des associations était pleine : merci à toutes et à tous !</p>"
    "<p>Nous avons vu passer des {objet}s, des lampes, et même un {objet2} des années 70.</p>",
    "<p>Un {objet} qui {panne} ? Avant de le jeter, venez nous voir : dans la plupart des cas, "
    "la réparation prend moins d'une heure.</p><p>Pensez à apporter le chargeur ou la notice si vous les avez.</p>",
    "<p>Réparer, c'est économiser, apprendre et se rencontrer. Voici ce que nous avons retenu ce mois-ci, "
    "avec les chiffres de l'atelier.</p><ul><li>{n} objets apportés</li><li>{n2} réparés</li></ul>",
    "<p>Nous avons besoin de <strong>bras et de têtes</strong> : si vous savez coudre, souder ou simplement "
    "accueillir, écrivez-nous ou passez samedi.</p>",
    "<p>Un pas-à-pas illustré, testé à l'atelier. Débranchez toujours l'appareil avant de l'ouvrir !</p>"
    "<p>Il vous faut : un tournevis cruciforme, une pince, un multimètre.</p>",
]

COMMENTS = [
    "Merci pour ce compte-rendu ! Mon {objet} remarche depuis samedi.",
    "Bonjour, est-ce que vous acceptez les {objet}s ? Le mien {panne}.",
    "Super article, je le partage autour de moi.",
    "J'ai essayé la méthode du tutoriel, ça a marché du premier coup. Bravo !",
    "Est-ce qu'il faut s'inscrire avant de venir, ou on peut passer directement ?",
    "Je peux donner un coup de main à l'accueil le mois prochain si besoin.",
    "Quelle belle ambiance samedi, merci aux bénévoles !",
    "Vous avez pensé à faire un atelier sur les {objet}s ? Beaucoup de voisins en ont un qui {panne}.",
    "Petite question : est-ce que vous réparez aussi les {objet}s électriques ?",
    "Article très clair, merci. Il manque peut-être un mot sur la sécurité.",
    "On était venus en famille, les enfants ont adoré démonter la radio.",
    "Je confirme, le bonus réparation m'a fait économiser 25 €.",
    "Bonjour, je suis nouvelle dans le quartier : c'est ouvert à tout le monde ?",
    "Génial ! J'apporterai mon {objet} la prochaine fois.",
    "Merci pour l'astuce du fusible, ça m'a sauvé la mise.",
]
QUESTIONS = [
    "Bonjour, est-ce que vous réparez aussi les machines à café à capsules ? La mienne {panne}.",
    "Est-ce qu'on peut venir avec un {objet} très lourd, ou faut-il prévenir avant ?",
    "Bonsoir, mon {objet} {panne} : ça vaut le coup de l'apporter samedi ?",
    "Vous cherchez toujours des bénévoles ? Je m'y connais un peu en électronique.",
]
MEMBER_REPLIES = [
    "@{prenom} j'avais exactement le même souci, c'était le fusible.",
    "@{prenom} oui, viens samedi, on regardera ensemble !",
    "Je suis d'accord avec {prenom}, l'atelier vélo était top.",
    "@{prenom} tu peux aussi regarder du côté du thermostat.",
    "@{prenom} merci, je vais essayer ça ce week-end.",
    "@{prenom} bonne idée, je peux apporter mon multimètre.",
    "@{prenom} pareil chez moi, et ça a tenu depuis !",
]
STAFF_REPLIES = [
    "Bonjour {prenom}, oui bien sûr, venez samedi avec votre {objet} !",
    "Merci {prenom} pour ce retour, ça fait plaisir à toute l'équipe.",
    "Bonjour {prenom}, pas besoin de s'inscrire : on accueille tout le monde de 14 h à 18 h.",
    "Merci {prenom} ! On note l'idée pour un prochain atelier.",
    "{prenom}, avec plaisir : écrivez-nous à contact@reparlien.example pour l'accueil.",
    "Bonne nouvelle {prenom} ! Pensez à apporter la notice si vous l'avez.",
]
SPAM = [
    "Cheap watches and bags, best prices!!! visit our shop",
    "Great post. Check my site for casino bonus",
]

TOOTS = [
    "Samedi, Repair Café à la Maison des associations de 14 h à 18 h ! Apportez vos objets en panne. "
    "#RepairCafé #Lyon #CroixRousse",
    "{n} objets réparés samedi, merci aux bénévoles et à toutes celles et ceux qui sont venus ! #RepairCafé",
    "Rappel : on cherche des bénévoles couture pour le prochain atelier. Écrivez-nous ! #bénévolat",
    "Le saviez-vous ? Un {objet} sur deux qui arrive à l'atelier repart réparé. #réparer #ZeroDechet",
    "Question du jour : quel est l'objet le plus étonnant que vous ayez réparé ? #RepairCafé",
    "Belle rencontre avec la recyclerie du quartier ce matin, de beaux projets en vue ! #ESS #Lyon",
    "On a besoin de tournevis de précision : si vous en avez en double, on prend ! #outils",
]
TOOT_BLOG = "Nouveau sur le blog : {titre} {url}"
TOOT_REPLIES = [
    "@{handle} merci beaucoup, à samedi !",
    "@{handle} oui, c'est ouvert à tout le monde, sans inscription.",
    "@{handle} bonne idée, on en parle à l'équipe !",
    "@{handle} merci pour le partage !",
]
MENTIONS = [
    "@reparlien merci pour samedi, mon {objet} remarche !",
    "@reparlien vous serez là au marché dimanche ?",
    "@reparlien super initiative, je viendrai avec mon {objet}.",
    "@reparlien est-ce que vous prenez les {objet}s ?",
    "@reparlien bravo pour l'atelier enfants, quelle énergie !",
]
MEMBER_STATUSES = [
    "Mon {objet} réparé au @reparlien ce samedi, ravi ! #RepairCafé",
    "Vive les repair cafés, vive les voisins bricoleurs. #Lyon",
]

EVENT_DESC = ("<p>Apportez vos objets en panne : petit électroménager, vêtements, vélos, jouets… "
              "Nos bénévoles les réparent avec vous. Gratuit, ouvert à tous.</p>")


def fill(rng: random.Random, template: str, **known: object) -> str:
    """Fill a template's slots: known values first, the rest picked at random."""
    values = {
        "objet": rng.choice(OBJECTS), "objet2": rng.choice(OBJECTS), "panne": rng.choice(PANNES),
        "n": rng.randint(18, 45), "n2": rng.randint(10, 30), "mois": rng.choice(MONTHS),
        "jour": rng.randint(1, 7), "prenom": rng.choice(FIRST_NAMES),
    }
    values.update(known)
    return elide(template.format(**values))


def elide(text: str) -> str:
    """French elision before a month: "Repair Café d'octobre", not "de octobre"."""
    return re.sub(r"\bde (avril|août|octobre)\b", r"d'\1", text)
