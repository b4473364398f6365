"""The explanations in French and in English: `lien person … --explain` and `lien advocates`
on MODEL.md §9's worked examples (the fixture of test_model_examples.py).

Every count in the expected sentences comes from the fixture's story (see test_model_examples.py):
Camille: 6 comments, 4 replies, meetups 2, 7 (volunteered) and 16 weeks ago, 2 reciprocated
counterparts answered 2 and 5 weeks ago, active online in 7 of 13 weeks, 25 weekly likes;
Marc: 4 meetups (1, 5, 9, 14 weeks ago) and nothing online; Léa: 200 likes.
"""
from __future__ import annotations

import re

import orjson
import pytest

from lien import i18n
from test_model_examples import AS_OF, D, s, scored  # noqa: F401  (the fixture)

#: English words that must not appear in French output (whole words, any case)
ENGLISH = ("week", "weeks", "ago", "people", "person", "event", "events", "comment", "comments", "reply", "replies",
           "nothing", "decay", "exchange", "exchanges", "channel", "channels", "more", "newcomer", "newcomers",
           "answer", "answers", "them", "brought", "standard-bearer", "prescriber", "lookback", "check-in",
           "check-ins", "like", "likes", "share", "shares", "follow", "follows", "window", "online", "offline",
           "since", "level", "with", "the", "and", "of", "in", "to", "as", "at", "become", "regular", "observer",
           "volunteer", "full", "months", "act", "acts", "substantive", "tenure", "different", "last", "new",
           "percentile", "community", "component", "value", "why", "name", "ending")


def english_words(text: str) -> set[str]:
    words = set(re.findall(r"[a-z][a-z'-]*", text.lower()))
    return {w for w in ENGLISH if w in words}


def flat(out: str) -> str:
    return " ".join(out.replace("│", " ").replace("┃", " ").split())


def fr_num(x: float, digits: int) -> str:
    return f"{x:.{digits}f}".replace(".", ",")


def camille_x() -> dict[str, tuple[float, float]]:
    """(this week, the week before) of Camille's decayed quantities, from MODEL.md's formulas."""
    off = lambda k: D(2 - k, 26) + 2 * D(7 - k, 26) + D(16 - k, 26)  # noqa: E731
    conv = lambda k: sum(D(a - k, 13) for a in (1, 2, 3, 8, 11, 12)) + 1.5 * sum(D(a - k, 13) for a in (2, 3, 5, 5))  # noqa: E731,E501
    rec = lambda k: D(2 - k, 13) + D(5 - k, 13)  # noqa: E731
    return {"offline": (off(0), off(1)), "conversation": (conv(0), conv(1)), "reciprocity": (rec(0), rec(1))}


def camille_deltas() -> dict[str, float]:
    x = camille_x()
    pts = {"offline": lambda v: 30 * s(v, 2), "conversation": lambda v: 25 * s(v, 6),
           "reciprocity": lambda v: 15 * s(v, 3)}
    return {c: pts[c](now) - pts[c](before) for c, (now, before) in x.items()}


def test_plurals_follow_each_language() -> None:
    i18n.register({"test.n.thing": {"en": "{n} thing|{n} things", "fr": "{n} chose|{n} choses"}})
    assert [i18n.tn("test.n.thing", n, lang="en") for n in (0, 1, 2)] == ["0 things", "1 thing", "2 things"]
    assert [i18n.tn("test.n.thing", n, lang="fr") for n in (0, 1, 2)] == ["0 chose", "1 chose", "2 choses"]
    assert i18n.tn("test.n.thing", 1.5, lang="fr") == "1.5 chose" and i18n.tn("test.n.thing", 1.5, lang="en") == \
        "1.5 things"
    assert i18n.num(3.256, 2, lang="fr") == "3,26" and i18n.num(3.256, 2, lang="en") == "3.26"


def test_camille_explained_in_both_languages(scored) -> None:  # noqa: F811
    from lien.metrics.persons import person

    x = camille_x()
    xo, xc, xr = (round(x[c][0], 2) for c in ("offline", "conversation", "reciprocity"))
    x_light = sum(D(a, 13) for a in range(25))
    deltas = camille_deltas()
    assert [round(v, 1) for v in deltas.values()] == [-0.3, -0.4, -0.3]

    i18n.set_lang("en")
    en = person(scored, "camille@exemple.fr", as_of=AS_OF)
    i18n.set_lang("fr")
    fr = person(scored, "camille@exemple.fr", as_of=AS_OF)
    assert {k: v for k, v in en.items() if k not in ("details", "next_level", "changes")} == \
        {k: v for k, v in fr.items() if k not in ("details", "next_level", "changes")}
    assert [n["note"] for n in en["details"]] == [
        f"x_off = {xo:.2f} (3 events; 1 as volunteer)",
        f"x_conv = {xc:.2f} (6 comments, 4 replies)",
        f"x_rec = {xr:.2f} (2 people; last exchanges 2 and 5 weeks ago)",
        "7/13 weeks online (full at 7); 3/6 months offline (full at 4)",
        "2 channels: facebook:asso, offline",
        f"x_light = {x_light:.2f} (25 likes/shares/follows in the lookback)"]
    assert [n["note"] for n in fr["details"]] == [
        f"x_off = {fr_num(xo, 2)} (3 événements, dont 1 comme bénévole)",
        f"x_conv = {fr_num(xc, 2)} (6 commentaires, 4 réponses)",
        f"x_rec = {fr_num(xr, 2)} (2 personnes ; derniers échanges il y a 2 et 5 semaines)",
        "7/13 semaines en ligne (maximum dès 7) ; 3/6 mois hors-ligne (maximum dès 4)",
        "2 canaux : facebook:asso, hors-ligne",
        f"x_light = {fr_num(x_light, 2)} (25 j'aime, partages ou abonnements sur la période observée)"]
    # machine fields do not depend on the language
    for key in ("component", "raw", "value", "points"):
        assert [n[key] for n in en["details"]] == [n[key] for n in fr["details"]]
    assert en["next_level"] == {"level": "standard_bearer",
                                "needs": ["exchanges with 3 different people (1 more reciprocated counterpart)"]}
    assert fr["next_level"] == {"level": "standard_bearer",
                                "needs": ["des échanges avec 3 personnes différentes (encore 1 personne avec qui "
                                          "l'échange est réciproque)"]}
    assert [(c["component"], c["delta"]) for c in en["changes"]] == \
        [(c["component"], c["delta"]) for c in fr["changes"]] == [(c, round(d, 1)) for c, d in deltas.items()]
    assert [c["text"] for c in en["changes"]] == [
        "-0.3 Offline presence: nothing new this week: decay", "-0.4 Conversation: nothing new this week: decay",
        "-0.3 Reciprocity: nothing new this week: decay"]
    assert [c["reason"] for c in fr["changes"]] == ["rien de nouveau cette semaine, l'effet s'estompe"] * 3
    assert [c["text"] for c in fr["changes"]] == [
        "-0,3 Présence hors-ligne : rien de nouveau cette semaine, l'effet s'estompe",
        "-0,4 Conversation : rien de nouveau cette semaine, l'effet s'estompe",
        "-0,3 Réciprocité : rien de nouveau cette semaine, l'effet s'estompe"]


def test_new_acts_reasons(scored) -> None:  # noqa: F811
    """In the week ending 2024-06-16 (2 weeks before §9's date) Camille went to a meetup and
    wrote a comment and a reply."""
    from lien.metrics.persons import person

    def reasons(lang: str, as_of: str) -> dict[str, str]:
        i18n.set_lang(lang)
        return {c["component"]: c["reason"] for c in person(scored, "camille@exemple.fr", as_of=as_of)["changes"]}

    en, fr = reasons("en", "2024-06-16"), reasons("fr", "2024-06-16")
    assert en["offline"] == "1 new act this week" and fr["offline"] == "1 nouvelle présence cette semaine"
    assert en["conversation"] == "2 new acts this week"
    assert fr["conversation"] == "2 nouvelles contributions cette semaine"
    assert en.keys() == fr.keys()
    assert reasons("fr", "2024-05-26")["light"] == "1 nouveau j'aime, partage ou abonnement cette semaine"


def test_marc_and_lea_needs(scored) -> None:  # noqa: F811
    from lien.metrics.persons import person

    i18n.set_lang("fr")
    marc = person(scored, "Marc", as_of=AS_OF)
    assert marc["next_level"]["needs"] == [
        "encore 6 contributions en ligne en 13 semaines",
        "des échanges avec 3 personnes différentes (encore 3 personnes avec qui l'échange est réciproque)"]
    x_off = sum(D(a, 26) for a in (1, 5, 9, 14))
    notes = {n["component"]: n["note"] for n in marc["details"]}
    assert notes == {"offline": f"x_off = {fr_num(x_off, 2)} (4 événements)", "conversation": "x_conv = 0,00 (rien)",
                     "reciprocity": "x_rec = 0,00 (0 personne)",
                     "regularity": "0/13 semaines en ligne (maximum dès 7) ; 4/6 mois hors-ligne (maximum dès 4)",
                     "breadth": "1 canal : hors-ligne",
                     "light": "x_light = 0,00 (0 j'aime, partage ou abonnement sur la période observée)"}
    lea = person(scored, "Léa", as_of=AS_OF)
    assert lea["next_level"]["needs"] == ["une vraie contribution (un commentaire, une réponse, une publication, un "
                                          "message ou une présence à un événement) en 13 semaines"]
    assert {n["component"]: n["note"] for n in lea["details"]}["breadth"] == "aucun canal"
    i18n.set_lang("en")
    marc = person(scored, "Marc", as_of=AS_OF)
    assert marc["next_level"]["needs"] == [
        "6 more online contributions in 13 weeks",
        "exchanges with 3 different people (3 more reciprocated counterparts)"]
    lea = person(scored, "Léa", as_of=AS_OF)
    assert lea["next_level"]["needs"] == ["one substantive act (a comment, a reply, a post, a message or a check-in) "
                                          "in 13 weeks"]


def _camille_as_standard_bearer(ws) -> None:
    """§9 leaves Camille one counterpart short; the sentence of a standard-bearer is shown by
    lifting her level in the snapshot (the other figures are hers: 10 contributions, 2
    counterparts, 3 check-ins)."""
    ws.con.execute("""UPDATE score_weeks SET level = 3 WHERE week = '2024-06-24' AND person_id IN
                      (SELECT person_id FROM identities WHERE key = 'camille@exemple.fr')""")


def test_advocates_in_both_languages(scored) -> None:  # noqa: F811
    from lien.metrics.levels import advocates

    i18n.set_lang("en")
    en = advocates(scored, as_of=AS_OF)["advocates"]
    assert [(a["name"], a["reason"]) for a in en] == [
        ("Camille", "prescriber (60/100): 1.7 people answer them, brought 2 newcomers, PageRank percentile 1.00")]
    i18n.set_lang("fr")
    fr = advocates(scored, as_of=AS_OF)["advocates"]
    assert [(a["name"], a["reason"]) for a in fr] == [
        ("Camille", "prescripteur (60/100) : 1,7 personne lui répond, a fait venir 2 nouvelles personnes, "
                    "centile PageRank 1,00")]
    assert [{k: v for k, v in a.items() if k != "reason"} for a in en] == \
        [{k: v for k, v in a.items() if k != "reason"} for a in fr]
    _camille_as_standard_bearer(scored)
    (a,) = advocates(scored, as_of=AS_OF)["advocates"]
    assert a["reason"] == ("porte-étendard : 10 contributions en 13 semaines, des échanges avec 2 personnes, "
                           "3 présences à des événements en 26 semaines ; prescripteur (60/100) : 1,7 personne lui "
                           "répond, a fait venir 2 nouvelles personnes, centile PageRank 1,00")
    i18n.set_lang("en")
    (a,) = advocates(scored, as_of=AS_OF)["advocates"]
    assert a["reason"].startswith("standard-bearer: 10 contributions in 13 weeks, exchanges with 2 people, "
                                  "3 check-ins in 26 weeks; prescriber (60/100): ")


def test_cli_explain_and_advocates_in_french_have_no_english(scored, cli) -> None:  # noqa: F811
    _camille_as_standard_bearer(scored)
    path = str(scored.path)
    scored.close()
    base = ("--workspace", path, "--lang", "fr")
    code, out, err = cli(*base, "person", "Camille", "--as-of", AS_OF, "--explain")
    assert code == 0, err
    text = flat(out)
    for sentence in ("score 74,3 · Niveau : Porte-étendard · prescripteur",
                     "Présence hors-ligne x_off = 3,26 (3 événements, dont 1 comme bénévole) 0,80 24,1",
                     "x_conv = 9,36 (6 commentaires, 4 réponses)",
                     "x_rec = 1,66 (2 personnes ; derniers échanges il y a 2 et 5 semaines)",
                     "Multicanal 2 canaux : facebook:asso, hors-ligne 0,60 6,0", "Total 74,3",
                     "Depuis la semaine dernière : -0,3 Présence hors-ligne : rien de nouveau cette semaine, l'effet "
                     "s'estompe -0,4 Conversation : rien de nouveau",
                     "Derniers actes, tous comptes confondus", "j'aime", "commentaire"):
        assert sentence in text, sentence
    outputs = [out]
    for who in ("Marc", "Léa"):
        code, out, err = cli(*base, "person", who, "--as-of", AS_OF, "--explain")
        assert code == 0, err
        outputs.append(out)
    assert "Pour devenir Porte-étendard : encore 6 contributions en ligne en 13 semaines ; des échanges avec 3 " \
           "personnes différentes (encore 3 personnes avec qui l'échange est réciproque)" in flat(outputs[1])
    code, out, err = cli(*base, "advocates", "--as-of", AS_OF)
    assert code == 0, err
    assert "porte-étendard : 10 contributions en 13 semaines" in flat(out)
    outputs.append(out)
    code, out, err = cli(*base, "people", "--as-of", AS_OF)
    assert code == 0 and "communauté" in out and "74,3" in out
    outputs.append(out)
    for o in outputs:
        # names, channels and e-mails are the data's own words
        o = re.sub(r"\S+@\S+|facebook:\S+|meetup:\S+|x_\w+", " ", o)
        assert english_words(o) == set(), o
    # the English explanation, and JSON/CSV machine fields unchanged by the language
    code, out, err = cli("--workspace", path, "person", "Camille", "--as-of", AS_OF, "--explain")
    text = flat(out)
    assert "PES 74.3 · Level: Standard-bearer · prescriber" in text
    assert "-0.4 Conversation: nothing new this week: decay" in text
    assert "x_off = 3.26 (3 events; 1 as volunteer) 0.80 24.1" in text
    en = orjson.loads(cli("--workspace", path, "person", "Camille", "--as-of", AS_OF, "--json")[1])
    fr = orjson.loads(cli(*base, "person", "Camille", "--as-of", AS_OF, "--json")[1])
    assert en["components"] == fr["components"] and en["level"] == fr["level"] == "standard_bearer"
    assert [c["delta"] for c in en["changes"]] == [c["delta"] for c in fr["changes"]] == [-0.3, -0.4, -0.3]
    code, out, err = cli(*base, "people", "--as-of", AS_OF, "--csv")
    assert out.splitlines()[:2] == ["name,pes,level_label,tag_labels,role,last_seen",
                                    "Camille,74.3,Porte-étendard,prescripteur,community,2024-06-29T18:00:00"]


@pytest.mark.parametrize("lang,expected", [("en", "~12 d"), ("fr", "~12 j")])
def test_cooling_rhythm_words(lang: str, expected: str) -> None:
    from lien.metrics.cooling import describe_rhythm

    i18n.set_lang(lang)
    assert describe_rhythm(12.2) == expected and describe_rhythm(None) == "—"
