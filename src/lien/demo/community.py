"""Two years of a repair café's life, simulated week by week with a seeded RNG.

The result is plain records (posts, comments, toots, notifications, meetups, RSVPs,
check-ins) that :mod:`lien.demo.formats` writes in the formats the real tools export.
Times are naive UTC; the window ends with the last complete ISO week before ``today``.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from . import texts
from .cast import WEEKS, Person, make_cast, slugify

try:
    from zoneinfo import ZoneInfo

    PARIS: Any = ZoneInfo("Europe/Paris")
except Exception:  # no time-zone database: winter time all year
    PARIS = timezone(timedelta(hours=1))

SEED = 2024


@dataclass
class Post:
    id: int
    author: Person
    ts: datetime
    title: str
    slug: str
    content: str
    category: str

    @property
    def url(self) -> str:
        return f"{texts.SITE}/{self.ts:%Y/%m}/{self.slug}/"


@dataclass
class Comment:
    id: int
    post: Post
    author: Person
    ts: datetime
    text: str
    parent: "Comment | None" = None
    approved: str = "1"              # 1 | 0 (pending) | spam
    type: str = ""                   # "" (a comment) | pingback
    url: str | None = None           # a pingback's source
    needs_answer: bool = True        # False: the script wants it left unanswered


@dataclass
class MemberStatus:
    """A member's toot that addresses us (we see it as a notification)."""

    id: int
    author: Person
    ts: datetime
    text: str
    in_reply_to: "Toot | None" = None

    @property
    def uri(self) -> str:
        return f"{self.author.actor_uri}/statuses/{self.id}"

    @property
    def url(self) -> str:
        return f"{self.author.profile_url}/{self.id}"


@dataclass
class Toot:
    id: int
    ts: datetime
    text: str
    in_reply_to: MemberStatus | None = None
    boost_of: MemberStatus | None = None

    @property
    def uri(self) -> str:
        return f"https://{texts.INSTANCE}/users/reparlien/statuses/{self.id}"

    @property
    def url(self) -> str:
        return f"https://{texts.INSTANCE}/@reparlien/{self.id}"


@dataclass
class Notification:
    id: int
    type: str                        # favourite | reblog | follow | mention
    ts: datetime
    account: Person
    status: Toot | MemberStatus | None = None


@dataclass
class MeetupEvent:
    id: int
    name: str
    start: datetime
    end: datetime
    capacity: int
    hosts: list[Person]
    created: datetime
    kind: str = "repair"             # repair | velo

    @property
    def url(self) -> str:
        return f"https://www.meetup.com/{texts.MEETUP_GROUP}/events/{self.id}/"


@dataclass
class Rsvp:
    id: int
    event: MeetupEvent
    person: Person
    response: str                    # yes | no | waitlist
    created: datetime


@dataclass
class Attendance:
    event: MeetupEvent
    person: Person
    status: str                      # attended | noshow
    rsvp: Rsvp | None = None


@dataclass
class Community:
    today: date
    first_day: date                  # Monday, 104 weeks before `last_day`
    last_day: date                   # Sunday of the last complete week
    until: datetime                  # UTC instant the window ends (exclusive)
    people: list[Person]
    posts: list[Post] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    toots: list[Toot] = field(default_factory=list)
    statuses: list[MemberStatus] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    our_likes: list[MemberStatus] = field(default_factory=list)
    events: list[MeetupEvent] = field(default_factory=list)
    rsvps: list[Rsvp] = field(default_factory=list)
    attendance: list[Attendance] = field(default_factory=list)

    def person(self, slug: str) -> Person:
        return next(p for p in self.people if p.slug == slug)


def last_complete_sunday(today: date) -> date:
    return today - timedelta(days=today.weekday() + 1)


class _Sim:
    def __init__(self, today: date, seed: int) -> None:
        self.rng = random.Random(seed)
        self.last_day = last_complete_sunday(today)
        self.first_day = self.last_day - timedelta(days=7 * WEEKS - 1)
        self.until = self.utc(self.last_day + timedelta(days=1), 0, 0)
        people = make_cast(self.rng)
        self.c = Community(today, self.first_day, self.last_day, self.until, people)
        self.by = {p.slug: p for p in people}
        self.n_comment = 0
        self.n_status = 0

    # -- time ------------------------------------------------------------------------------
    @staticmethod
    def utc(d: date, hour: int, minute: int = 0) -> datetime:
        local = datetime.combine(d, time(hour, minute), tzinfo=PARIS)
        return local.astimezone(timezone.utc).replace(tzinfo=None)

    def monday(self, a: int) -> date:
        return self.last_day - timedelta(days=6 + 7 * a)

    def weeks_ago(self, ts: datetime) -> int:
        return max(0, (self.until - ts).days // 7)

    def at(self, a: int, day: int | None = None, hour: int | None = None) -> datetime:
        rng = self.rng
        d = self.monday(a) + timedelta(days=rng.randint(0, 6) if day is None else day)
        return self.utc(d, rng.randint(7, 22) if hour is None else hour, rng.randint(0, 59))

    def poisson(self, lam: float) -> int:
        if lam <= 0:
            return 0
        k, p, limit = 0, 1.0, math.exp(-lam)
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1

    # -- the blog --------------------------------------------------------------------------
    def blog_posts(self) -> None:
        rng, c = self.rng, self.c
        authors = [self.by["sophie.garnier"], self.by["karim.benali"], self.by["reparlien"]]
        cats = ["Ateliers", "Tutoriels", "Vie de l'association", "Réparabilité"]
        pid = 100
        for a in range(WEEKS - 1, -1, -1):
            month = self.monday(a).month
            n = 0 if month == 8 and rng.random() < 0.6 else 1 + (rng.random() < 0.2)
            for day in (1, 3)[:n]:
                pid += rng.randint(1, 4)
                ts = self.at(a, day, rng.randint(9, 17))
                title = texts.fill(rng, rng.choice(texts.POST_TITLES), mois=texts.MONTHS[ts.month - 1])
                slug = "-".join(w for w in slugify(title).split(".") if w)[:60]
                c.posts.append(Post(pid, rng.choices(authors, weights=[5, 3, 2])[0], ts, title, slug.strip("-"),
                                    texts.fill(rng, rng.choice(texts.POST_BODY)), rng.choice(cats)))

    def post_near(self, t: datetime) -> Post | None:
        cands = [p for p in self.c.posts if p.ts < t - timedelta(hours=1) and t - p.ts < timedelta(days=21)]
        if not cands:  # a quiet spell on the blog: the latest post
            before = [p for p in self.c.posts if p.ts < t - timedelta(hours=1)]
            return before[-1] if before else None
        weights = [1 / (1 + (t - p.ts).total_seconds() / 86400 / 3) for p in cands]
        return self.rng.choices(cands, weights=weights)[0]

    def comment(self, who: Person, t: datetime, post: Post | None = None, parent: Comment | None = None,
                text: str | None = None, *, answer: bool = True, back: float | None = None) -> Comment | None:
        """Add a comment (and, later in time, the answers it gets)."""
        rng = self.rng
        t = t.replace(microsecond=0)
        if t >= self.until:
            return None
        post = post or (parent.post if parent else self.post_near(t))
        if post is None or t <= post.ts:
            return None
        if text is None:
            if parent is not None:
                text = texts.fill(rng, rng.choice(texts.MEMBER_REPLIES), prenom=parent.author.first_name)
            else:
                text = texts.fill(rng, rng.choice(texts.COMMENTS))
        self.n_comment += 1
        cm = Comment(self.n_comment, post, who, t, text, parent, needs_answer=answer)
        self.c.comments.append(cm)
        if who.role != "community":
            return cm
        a = self.weeks_ago(t)
        if parent is not None and parent.author.role == "community" and parent.author is not who:
            # the member answered may answer back: a reciprocated exchange
            p_back = parent.author.answers_back if back is None else back
            if rng.random() < p_back:
                self.comment(parent.author, t + timedelta(hours=rng.uniform(3, 60)), parent=cm,
                             back=0.25 if back is None else 0.0)
        elif answer:
            staff_p = 0.6 if a <= 3 else 0.86
            if parent is not None:
                staff_p = 0.5  # a member answering one of us
            if rng.random() < staff_p:
                who_answers = post.author if post.author.role in ("staff", "org") else self.by["sophie.garnier"]
                if parent is not None:
                    who_answers = parent.author
                delay = min(120.0, rng.lognormvariate(math.log(7), 1.0))
                name = who.first_name
                self.comment(who_answers, t + timedelta(hours=delay), parent=cm,
                             text=texts.fill(rng, rng.choice(texts.STAFF_REPLIES), prenom=name))
        return cm

    def blog_comments(self) -> None:
        rng, c = self.rng, self.c
        community = [p for p in c.people if p.role == "community"]
        for a in range(WEEKS - 1, -1, -1):
            for p in community:
                for _ in range(self.poisson(p.comments[a])):
                    t = self.at(a)
                    post = self.post_near(t)
                    if post is None:
                        continue
                    parent = None
                    if rng.random() < p.reply_bias:
                        others = [x for x in c.comments if x.post is post and x.ts < t and x.author is not p
                                  and x.author.role == "community" and x.approved == "1"]
                        parent = rng.choice(others) if others else None
                    self.comment(p, t, post, parent)
        # pingbacks from other blogs, spam and comments awaiting moderation (not engagement)
        for i in range(6):
            post = rng.choice(c.posts[:-4])
            src = Person(slug=f"blog{i}", name=rng.choice(["Zéro Déchet Lyon", "La Recyclerie du 4e",
                                                           "Bricoler malin", "Le blog de la MJC"]))
            when = post.ts + timedelta(days=rng.randint(1, 9))
            if when >= self.until:
                continue
            self.n_comment += 1
            c.comments.append(Comment(self.n_comment, post, src, when,
                                      "[…] comme l'explique le repair café Répar'Lien dans son dernier article […]",
                                      type="pingback", url=f"https://{src.slug}.example/{post.ts:%Y/%m}/ateliers/"))
        for i, approved in enumerate(["spam"] * 5 + ["0", "0"]):
            post = rng.choice(c.posts[-12:] if approved == "0" else c.posts)
            spammer = Person(slug=f"spam{i}", name=rng.choice(["cheap-bags", "Casino Bonus", "Marie"]),
                             email=f"promo{i}@spam.example" if approved == "spam" else f"visiteur{i}@example.com")
            when = min(post.ts + timedelta(hours=rng.randint(5, 200)), self.until - timedelta(hours=30))
            self.n_comment += 1
            c.comments.append(Comment(self.n_comment, post, spammer, when,
                                      rng.choice(texts.SPAM) if approved == "spam" else
                                      "Bonjour, vous êtes ouverts pendant les vacances ?", approved=approved))

    def blog_script(self) -> None:
        """The named characters' last weeks, placed so the demo shows each situation."""
        by, rng = self.by, self.rng
        cam, jeanne, thomas, sarah = by["camille.rousseau"], by["jeanne.dubois"], by["thomas.petit"], by["sarah.benoit"]
        for a in (12, 6, 4, 1):
            self.comment(cam, self.at(a, rng.randint(0, 3)))
        s = self.comment(sarah, self.at(9, 1, 10))
        self.comment(cam, self.at(9, 2, 19))
        if s:
            self.comment(cam, self.at(9, 3, 21), parent=s, back=0.0)
        th = self.comment(thomas, self.at(5, 0, 12), answer=False)
        if th:
            r = self.comment(cam, self.at(5, 2, 18), parent=th, back=0.0)
            if r:
                self.comment(thomas, self.at(5, 3, 9), parent=r, back=0.0)
        je = self.comment(jeanne, self.at(2, 0, 11), answer=False)
        self.comment(cam, self.at(2, 1, 20))
        if je:
            r = self.comment(cam, self.at(2, 2, 8), parent=je, back=0.0)
            if r:
                self.comment(jeanne, self.at(2, 2, 21), parent=r, back=0.0)
        # Julien's comments bring newcomers: their first act answers his
        julien = by["julien.mercier"]
        first: dict[str, Comment | None] = {}
        for slug, a in (("hugo.blanc", 22), ("manon.girard", 12), ("yanis.brahimi", 6), ("ines.faure", 2)):
            j = self.comment(julien, self.at(a, 0, 9))
            if j:
                first[slug] = self.comment(by[slug], self.at(a, 1, 20), parent=j, back=0.9)
        # questions we never answered
        q = self.comment(by["ines.faure"], self.at(1, 1, 18), text=texts.fill(rng, texts.QUESTIONS[0]), answer=False)
        if q:
            self.comment(cam, self.at(1, 3, 8), parent=q, back=0.0)
        self.comment(by["remi.gauthier"], self.at(1, 2, 21), text=texts.fill(rng, texts.QUESTIONS[2]), answer=False)
        self.comment(sarah, self.at(3, 1, 22), text=texts.fill(rng, texts.QUESTIONS[3]), answer=False)

    # -- Mastodon ----------------------------------------------------------------------------
    def toot(self, t: datetime, text: str, **kw: Any) -> Toot | None:
        t = t.replace(microsecond=0)
        if t >= self.until:
            return None
        tt = Toot(self.snowflake(t), t, text, **kw)
        self.c.toots.append(tt)
        return tt

    def snowflake(self, t: datetime) -> int:
        """A Mastodon status id: milliseconds since 1970 shifted 16 bits, plus a sequence."""
        self.n_status += 1
        ms = int(t.replace(tzinfo=timezone.utc).timestamp() * 1000)
        return (ms << 16) + (self.n_status & 0xFFFF)

    def notify(self, type_: str, t: datetime, who: Person, status: Any = None) -> None:
        t = t.replace(microsecond=0)
        if t < self.until:
            self.c.notifications.append(Notification(len(self.c.notifications) + 1, type_, t, who, status))

    def mastodon(self) -> None:
        rng, c = self.rng, self.c
        for post in c.posts:
            self.toot(post.ts + timedelta(minutes=rng.randint(20, 180)),
                      texts.TOOT_BLOG.format(titre=post.title, url=post.url))
        for ev in c.events:
            if ev.kind == "repair":
                self.toot(ev.start - timedelta(days=5, hours=rng.randint(0, 5)), texts.TOOTS[0])
                self.toot(ev.start + timedelta(days=1, hours=rng.randint(0, 5)), texts.fill(rng, texts.TOOTS[1]))
        for a in range(WEEKS):
            if rng.random() < 0.5:
                self.toot(self.at(a, hour=rng.randint(9, 19)), texts.fill(rng, rng.choice(texts.TOOTS[2:])))
        c.toots.sort(key=lambda t: t.ts)
        ours = list(c.toots)
        fans = [p for p in c.people if p.handle and p.role == "community"]
        for p in fans:  # a follow when they first show up
            active = [a for a in range(WEEKS) if p.likes[a] > 0 or p.mentions[a] > 0]
            if active:
                self.notify("follow", self.at(max(active)), p)
        for tt in ours:
            a = self.weeks_ago(tt.ts)
            for p in fans:
                if rng.random() < p.likes[a]:
                    self.notify("favourite", tt.ts + timedelta(hours=rng.expovariate(1 / 6)), p, tt)
                    if rng.random() < 0.12:
                        self.notify("reblog", tt.ts + timedelta(hours=rng.expovariate(1 / 8)), p, tt)
        for a in range(WEEKS - 1, -1, -1):
            for p in fans:
                for _ in range(self.poisson(p.mentions[a])):
                    self.mention(p, self.at(a))
        chloe = self.by["chloe.perrin"]
        self.notify("follow", self.at(3, 2, 20), chloe)
        self.mention(chloe, self.at(2, 4, 21), answer=False, text="@reparlien bonjour ! Est-ce que vous "
                                                                  "organisez des ateliers pour apprendre à souder ?")
        c.notifications.sort(key=lambda n: n.ts)
        c.toots.sort(key=lambda t: t.ts)

    def mention(self, p: Person, t: datetime, *, answer: bool = True, text: str | None = None) -> None:
        rng, c = self.rng, self.c
        recent = [tt for tt in c.toots if tt.in_reply_to is None and tt.boost_of is None
                  and timedelta(0) < t - tt.ts < timedelta(days=14)]
        if t >= self.until:
            return
        st = MemberStatus(self.snowflake(t), p, t,
                          text or texts.fill(rng, rng.choice(texts.MENTIONS)), rng.choice(recent) if recent else None)
        c.statuses.append(st)
        self.notify("mention", t, p, st)
        if rng.random() < 0.4:
            c.our_likes.append(st)
        a = self.weeks_ago(t)
        if answer and rng.random() < (0.5 if a <= 3 else 0.78):
            self.toot(t + timedelta(hours=rng.uniform(1, 30)),
                      rng.choice(texts.TOOT_REPLIES).format(handle=p.handle), in_reply_to=st)
        elif answer and rng.random() < 0.3:
            self.toot(t + timedelta(hours=rng.uniform(2, 40)), "", boost_of=st)

    # -- meetups ---------------------------------------------------------------------------------
    def meetup_events(self) -> None:
        rng, c = self.rng, self.c
        staff = [self.by["sophie.garnier"], self.by["karim.benali"]]
        d = date(self.first_day.year, self.first_day.month, 1)
        horizon = self.last_day + timedelta(days=40)
        eid = 296_000_000
        while d <= horizon:
            sat = d + timedelta(days=(5 - d.weekday()) % 7)
            if self.first_day <= sat:
                eid += rng.randint(1000, 90000)
                start = self.utc(sat, 14)
                name = texts.elide(f"Repair Café de {texts.MONTHS[sat.month - 1]} {sat.year}")
                c.events.append(MeetupEvent(eid, name, start, start + timedelta(hours=4), 40, list(staff),
                                            start - timedelta(days=28)))
            if d.month in (3, 5, 7, 9, 11):
                wed = d + timedelta(days=(2 - d.weekday()) % 7 + 14)
                if self.first_day <= wed:
                    eid += rng.randint(1000, 90000)
                    start = self.utc(wed, 18, 30)
                    c.events.append(MeetupEvent(eid, "Atelier vélo : entretien et petites réparations", start,
                                                start + timedelta(hours=2), 12, [self.by["thomas.petit"]],
                                                start - timedelta(days=21), kind="velo"))
            d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        c.events.sort(key=lambda e: e.start)
        past = [e for e in c.events if e.end < self.until]
        # Camille: three meetups in the last sixteen weeks, hosting the couture table once
        cam = self.by["camille.rousseau"]
        for a in range(0, 18):
            cam.meetup[a] = 0.0
        repairs = [e for e in past if e.kind == "repair"]
        self.forced: dict[int, set[str]] = {}
        for wk in (2, 7, 16):
            ev = min(repairs, key=lambda e: abs(self.weeks_ago(e.start) - wk))
            self.forced.setdefault(ev.id, set()).add(cam.slug)
            if wk == 7:
                ev.hosts.append(cam)
        # Olivier went quiet everywhere at once: his last meetup is shortly before his last comment
        ev = min(repairs, key=lambda e: abs(self.weeks_ago(e.start) - 10))
        self.forced.setdefault(ev.id, set()).add("olivier.fontaine")
        for ev in c.events:
            if ev.end >= self.until:
                ev.hosts = []  # hosts of the next meetup are not named yet
        last = repairs[-1]
        for slug in ("zoe.chevalier", "malik.diallo"):
            self.forced.setdefault(last.id, set()).add(slug)
        for ev in rng.sample(repairs[:-3], 3):
            ev.hosts.append(self.by["jeanne.dubois"])

    def meetup_acts(self) -> None:
        rng, c = self.rng, self.c
        goers = [p for p in c.people if p.meetup_id]
        rid = 1_700_000_000
        for ev in c.events:
            upcoming = ev.end >= self.until
            a = 0 if upcoming else self.weeks_ago(ev.start)
            forced = self.forced.get(ev.id, set())
            yes_list: list[tuple[datetime, Person, str]] = []  # (RSVP time, who, "came" | "noshow" | "upcoming")

            def when(lo: float, hi: float) -> datetime:
                t = max(ev.start - timedelta(hours=rng.uniform(lo, hi)), ev.created + timedelta(hours=2))
                return t.replace(microsecond=0)

            for p in goers:
                if p.role == "staff":
                    if ev.kind == "repair":
                        yes_list.append((ev.created + timedelta(hours=1), p, "upcoming" if upcoming else "came"))
                    continue
                prob = 1.0 if p in ev.hosts else p.meetup[a] * (0.5 if ev.kind == "velo" else 1.0)
                if upcoming:
                    if (prob >= 0.5 and rng.random() < 0.8) or p.slug in ("zoe.chevalier", "camille.rousseau"):
                        t = (self.until - timedelta(hours=rng.uniform(2, 240))).replace(microsecond=0)
                        if t > ev.created:
                            yes_list.append((t, p, "upcoming"))
                    continue
                newcomer = p.slug in ("zoe.chevalier", "malik.diallo")
                if p.slug in forced or (not newcomer and rng.random() < prob):
                    if p.slug == "zoe.chevalier" or rng.random() > p.rsvp_first:
                        c.attendance.append(Attendance(ev, p, "attended"))  # walked in without an RSVP
                    else:
                        yes_list.append((when(2, 14 * 24), p, "came"))
                elif prob > 0 and rng.random() < p.no_show:
                    yes_list.append((when(12, 20 * 24), p, "noshow"))
                elif prob > 0 and rng.random() < 0.05:
                    rid += rng.randint(1, 9)
                    c.rsvps.append(Rsvp(rid, ev, p, "no", when(12, 20 * 24)))
            yes = 0
            for t, p, what in sorted(yes_list, key=lambda x: (x[0], x[1].slug)):
                if t >= self.until:
                    continue
                rid += rng.randint(1, 9)
                full = yes >= ev.capacity
                r = Rsvp(rid, ev, p, "waitlist" if full else "yes", t)
                c.rsvps.append(r)
                if full:
                    continue
                yes += 1
                if what != "upcoming":
                    c.attendance.append(Attendance(ev, p, "attended" if what == "came" else "noshow", r))

    def run(self) -> Community:
        self.blog_posts()
        self.blog_comments()
        self.blog_script()
        self.c.comments.sort(key=lambda x: (x.ts, x.id))
        self.meetup_events()
        self.meetup_acts()
        self.mastodon()
        self.c.rsvps.sort(key=lambda r: r.created)
        return self.c


def build(today: date | None = None, seed: int = SEED) -> Community:
    """The sample community, over the 104 weeks ending with the last complete week before ``today``."""
    return _Sim(today or date.today(), seed).run()
