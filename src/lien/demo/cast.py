"""Who lives in the sample community, and how each of them behaves week by week.

A behaviour is a set of weekly rates indexed by *weeks ago* (0 = the last complete week,
103 = two years back). The named characters are those of MODEL.md §9 and the situations a
community manager meets (standard-bearers, a prescriber, people cooling off, newcomers,
an online-only regular to invite); a seeded crowd fills the rest.
"""
from __future__ import annotations

import random
import unicodedata
import zlib
from dataclasses import dataclass, field

from . import texts

WEEKS = 104


def _rates(value: float = 0.0) -> list[float]:
    return [value] * WEEKS


@dataclass
class Person:
    slug: str
    name: str
    role: str = "community"           # org | staff | community
    story: str = "crowd"              # what the demo shows with them (see CAST)
    email: str | None = None          # blog commenter e-mail
    handle: str | None = None         # Mastodon username on texts.INSTANCE
    meetup_id: int | None = None      # Meetup member id
    login: str | None = None          # WordPress author login (staff)
    #: the website they give with their blog comments (WXR comment_author_url); see _member
    website: str | None = None
    #: the link their Mastodon profile shows (a profile field), kept by the notifications script
    declares: str | None = None
    #: expected blog comments per week, weeks ago 0..103
    comments: list[float] = field(default_factory=_rates)
    #: share of their comments that answer another member's comment
    reply_bias: float = 0.2
    #: probability of answering back a member who replied to them
    answers_back: float = 0.4
    #: probability of coming to a meetup held that week
    meetup: list[float] = field(default_factory=_rates)
    #: probability of liking each of our toots that week
    likes: list[float] = field(default_factory=_rates)
    #: expected replies to our toots per week
    mentions: list[float] = field(default_factory=_rates)
    rsvp_first: float = 0.85          # RSVPs "yes" before coming (else walks in)
    no_show: float = 0.12             # RSVPs "yes" to a meetup they then miss
    first_name: str = ""

    def __post_init__(self) -> None:
        self.first_name = self.first_name or self.name.split()[0]

    @property
    def actor_uri(self) -> str | None:
        return f"https://{texts.INSTANCE}/users/{self.handle}" if self.handle else None

    @property
    def profile_url(self) -> str | None:
        return f"https://{texts.INSTANCE}/@{self.handle}" if self.handle else None

    @property
    def meetup_url(self) -> str | None:
        return f"https://www.meetup.com/members/{self.meetup_id}/" if self.meetup_id else None

    @property
    def accounts(self) -> set[str]:
        """The channels they have an account on (whether they act there or not)."""
        return {x for x, has in (("blog", self.email), ("mastodon", self.handle), ("meetup", self.meetup_id)) if has}


def span(rates: list[float], older: int, newer: int, value: float) -> None:
    """Set ``value`` for the weeks from ``older`` weeks ago to ``newer`` weeks ago (inclusive)."""
    for a in range(max(newer, 0), min(older, WEEKS - 1) + 1):
        rates[a] = value


def slugify(name: str) -> str:
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return "".join(c if c.isalnum() else "." for c in s).strip(".")


def _member(name: str, story: str, *, mail: bool = True, masto: bool = True, meetup: bool = True,
            n: int = 0, domain: str = "example.org", links: bool = True) -> Person:
    """A member. Their accounts meet the way real ones do (lien's deterministic rules): a
    member who comes to meetups gives their Meetup profile as their website on the blog and
    shows it in their Mastodon profile; one who does not gives their Mastodon account.
    ``links=False``: a member who leaves the website field empty and shows no link, whose
    accounts only a human (``lien identities suggest``) can bring together."""
    slug = slugify(name)
    p = Person(slug=slug, name=name, story=story,
               email=f"{slug}@{domain}" if mail else None,
               handle=slug.split(".")[0] + (str(n) if n else "") if masto else None,
               meetup_id=(310_000_000 + zlib.crc32(slug.encode()) % 9_000_000) if meetup else None)
    if links:
        p.website = p.meetup_url or p.actor_uri
        p.declares = p.meetup_url
    return p


def clusters(p: Person, on: set[str] | None = None) -> list[set[str]]:
    """``p``'s accounts (channels: blog, mastodon, meetup), or those of them in ``on`` (the
    ones lien sees: where they acted), grouped as lien's same-profile-URL rule groups them."""
    values = {"blog": {p.website}, "mastodon": {p.actor_uri, p.declares}, "meetup": {p.meetup_url}}
    groups: list[set[str]] = []
    for ch in sorted(p.accounts if on is None else p.accounts & on):
        mine = {v for v in values[ch] if v}
        joined = [g for g in groups if mine & {v for c in g for v in values[c] if v}]
        for g in joined:
            groups.remove(g)
        groups.append({ch}.union(*joined))
    return groups


#: the named characters and what each one shows (used by docs and tests)
CAST = {
    "camille.rousseau": "regular: converses on the blog, comes to meetups, likes our toots (MODEL.md §9)",
    "marc.lefevre": "offline-only regular: every meetup, never online",
    "lea.moreau": "likes only: likes nearly every toot, nothing else",
    "jeanne.dubois": "standard-bearer: comments weekly, answers others, comes and helps at meetups",
    "thomas.petit": "standard-bearer: runs the bike workshops, converses online",
    "nadia.haddad": "standard-bearer",
    "julien.mercier": "prescriber: newcomers' first comments answer his",
    "helene.girard": "cooling off: a regular, silent for about nine weeks",
    "olivier.fontaine": "cooling off: a regular, silent for about seven weeks",
    "pauline.lambert": "cooling off offline: came every month, missed the last four meetups",
    "sarah.benoit": "online-only regular: the one to invite to the next meetup",
    "lucas.roux": "online-only, less often",
    "ines.faure": "newcomer brought by Julien; her question is still unanswered",
    "remi.gauthier": "newcomer: his first comment is a question we left unanswered",
    "zoe.chevalier": "newcomer: first meetup (walked in), coming to the next one",
    "malik.diallo": "newcomer: first meetup",
    "chloe.perrin": "newcomer on Mastodon: followed us, then asked a question we did not answer",
    "hugo.blanc": "came through Julien five months ago, now a participant",
    "manon.girard": "came through Julien three months ago",
    "yanis.brahimi": "came through Julien six weeks ago",
}


def make_cast(rng: random.Random, crowd: int = 78) -> list[Person]:
    people: list[Person] = []
    org = Person(slug="reparlien", name=texts.ORG_NAME, role="org", story="our own accounts",
                 email="contact@reparlien.example", handle="reparlien", login="reparlien")
    sophie = Person(slug="sophie.garnier", name="Sophie Garnier", role="staff", story="staff: coordinator",
                    email="sophie@reparlien.example", meetup_id=300_000_101, login="sophie")
    karim = Person(slug="karim.benali", name="Karim Benali", role="staff", story="staff: workshop lead",
                   email="karim@reparlien.example", meetup_id=300_000_102, login="karim")
    people += [org, sophie, karim]

    # -- MODEL.md §9 ----------------------------------------------------------------------
    camille = _member("Camille Rousseau", "regular")
    span(camille.comments, 80, 13, 0.4)  # her last 13 weeks are scripted (community.py)
    span(camille.meetup, 90, 0, 0.45)
    span(camille.likes, 90, 0, 0.6)
    camille.reply_bias, camille.answers_back = 0.4, 0.7
    marc = _member("Marc Lefèvre", "offline_only", mail=False, masto=False)
    span(marc.meetup, 95, 0, 0.8)
    span(marc.meetup, 26, 0, 1.0)
    marc.rsvp_first, marc.no_show = 1.0, 0.0
    lea = _member("Léa Moreau", "likes_only", mail=False, meetup=False)
    span(lea.likes, 103, 0, 0.95)
    people += [camille, marc, lea]

    # -- standard-bearers and a prescriber ------------------------------------------------
    for name, since in (("Jeanne Dubois", 103), ("Thomas Petit", 96), ("Nadia Haddad", 70)):
        p = _member(name, "standard_bearer")
        span(p.comments, since, 0, 1.1)
        span(p.meetup, since, 0, 0.85)
        span(p.likes, since, 0, 0.4)
        span(p.mentions, since, 0, 0.25)
        p.reply_bias, p.answers_back, p.no_show = 0.5, 0.8, 0.05
        people.append(p)
    julien = _member("Julien Mercier", "prescriber")
    span(julien.comments, 85, 0, 0.8)
    span(julien.meetup, 85, 0, 0.35)
    span(julien.mentions, 85, 0, 0.3)
    span(julien.likes, 85, 0, 0.2)
    julien.reply_bias, julien.answers_back = 0.1, 0.9
    people.append(julien)

    # -- cooling off -----------------------------------------------------------------------
    helene = _member("Hélène Girard", "cooling")
    span(helene.comments, 100, 10, 0.9)
    span(helene.meetup, 100, 10, 0.8)
    span(helene.likes, 100, 10, 0.3)
    helene.reply_bias, helene.answers_back = 0.4, 0.7
    olivier = _member("Olivier Fontaine", "cooling", masto=False)
    span(olivier.comments, 70, 8, 1.0)
    span(olivier.meetup, 70, 8, 0.7)
    olivier.reply_bias = 0.3
    pauline = _member("Pauline Lambert", "cooling_offline", mail=False, masto=False)
    span(pauline.meetup, 80, 18, 0.95)
    pauline.rsvp_first, pauline.no_show = 1.0, 0.0
    people += [helene, olivier, pauline]

    # -- online-only -----------------------------------------------------------------------
    sarah = _member("Sarah Benoît", "online_only", meetup=False)
    span(sarah.comments, 60, 0, 1.0)
    span(sarah.mentions, 60, 0, 0.3)
    span(sarah.likes, 60, 0, 0.35)
    sarah.reply_bias, sarah.answers_back = 0.5, 0.8
    lucas = _member("Lucas Roux", "online_only", meetup=False, masto=False)
    span(lucas.comments, 40, 0, 0.55)
    lucas.reply_bias = 0.4
    people += [sarah, lucas]

    # -- newcomers (their first acts are scripted in community.py) -------------------------
    ines = _member("Inès Faure", "newcomer", masto=False, meetup=False)
    remi = _member("Rémi Gauthier", "newcomer", masto=False, meetup=False)
    zoe = _member("Zoé Chevalier", "newcomer", mail=False, masto=False)
    malik = _member("Malik Diallo", "newcomer", mail=False, masto=False)
    chloe = _member("Chloé Perrin", "newcomer", mail=False, meetup=False)
    span(chloe.likes, 3, 0, 0.5)
    hugo = _member("Hugo Blanc", "prescribed", masto=False)
    span(hugo.comments, 21, 0, 0.3)
    span(hugo.meetup, 21, 0, 0.4)
    manon = _member("Manon Girard", "prescribed", masto=False, meetup=False)
    span(manon.comments, 11, 0, 0.25)
    yanis = _member("Yanis Brahimi", "prescribed", masto=False)
    span(yanis.meetup, 5, 0, 0.5)
    people += [ines, remi, zoe, malik, chloe, hugo, manon, yanis]

    # -- the crowd -----------------------------------------------------------------------------
    used = {p.name for p in people}
    i = 0
    while i < crowd:
        name = f"{rng.choice(texts.FIRST_NAMES)} {rng.choice(texts.LAST_NAMES)}"
        if name in used:
            continue
        used.add(name)
        i += 1
        kind = rng.choices(["commenter", "meetup", "both", "fan"], weights=[30, 35, 15, 20])[0]
        p = _member(name, "crowd", mail=kind in ("commenter", "both"), meetup=kind in ("meetup", "both"),
                    masto=kind == "fan" or rng.random() < 0.35, n=i, domain=rng.choice(texts.MAIL_DOMAINS),
                    links=not (kind == "both" and i % 3 == 0))  # a few no rule can bring together
        older = rng.randint(8, WEEKS - 1)
        newer = max(0, older - rng.randint(6, WEEKS))
        if kind in ("commenter", "both"):
            span(p.comments, older, newer, rng.uniform(0.04, 0.3 if kind == "commenter" else 0.15))
        if kind in ("meetup", "both"):
            span(p.meetup, older, newer, rng.uniform(0.12, 0.55))
        if p.handle:
            span(p.likes, older, newer, rng.uniform(0.03, 0.3))
            span(p.mentions, older, newer, rng.uniform(0.0, 0.08))
        p.reply_bias = rng.uniform(0.0, 0.35)
        people.append(p)
    return people
