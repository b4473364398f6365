"""`lien demo`: the sample community's story, its files, and their import through lien's importers.

Expected counts are read from the written files with a separate, plain parse (ElementTree,
json), never taken from what the importers report."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import lien
from lien.demo import CAST, build, last_complete_sunday, run
from lien.demo.cast import clusters
from lien.demo.run import CONFIG_MARK, registered
from lien.errors import UsageError
from conftest import do_import, snapshot

TODAY = date(2026, 11, 18)  # a Wednesday: the window ends on Sunday 2026-11-15
WP = "{http://wordpress.org/export/1.2/}"


@pytest.fixture(scope="module")
def community() -> Any:
    return build(TODAY)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Any:
    base = tmp_path_factory.mktemp("demo")
    ws = lien.open(base / "lien.duckdb")
    result = run(ws, base / "lien-demo", today=TODAY)
    yield ws, result, base
    ws.close()


# -- the story ---------------------------------------------------------------------------------

def _weeks_ago(c: Any, ts: datetime) -> int:
    return (c.until - ts).days // 7


def test_window_is_two_years_ending_last_complete_week(community):
    c = community
    assert last_complete_sunday(TODAY) == date(2026, 11, 15) == c.last_day
    assert last_complete_sunday(date(2026, 11, 16)) == date(2026, 11, 15)  # a Monday
    assert last_complete_sunday(date(2026, 11, 22)) == date(2026, 11, 15)  # a Sunday: its week is not over
    assert c.first_day == date(2024, 11, 18) and c.first_day.weekday() == 0
    assert (c.last_day - c.first_day).days + 1 == 7 * 104
    acts = [x.ts for x in c.comments] + [t.ts for t in c.toots] + [n.ts for n in c.notifications]
    assert max(acts) < c.until
    assert min(x.ts for x in c.posts) >= datetime(2024, 11, 17)


def test_seeded_same_records_every_run(community):
    again = build(TODAY)
    key = lambda c: ([(x.id, x.author.slug, x.ts, x.text) for x in c.comments],  # noqa: E731
                     [(t.id, t.ts) for t in c.toots], [(r.id, r.person.slug, r.response) for r in c.rsvps])
    assert key(again) == key(community)
    other = build(TODAY, seed=7)
    assert key(other) != key(community)


def test_size_people_and_acts(community):
    c = community
    humans = [p for p in c.people if p.role != "org"]
    assert 60 <= len(humans) <= 150
    acts = (len(c.posts) + len(c.comments) + len(c.toots) + len(c.our_likes) + len(c.notifications)
            + len(c.rsvps) + len(c.attendance))
    assert 2000 <= acts <= 9000
    assert all(any(p.slug == slug for p in c.people) for slug in CAST)
    assert len({p.name for p in c.people}) == len(c.people)
    assert len({p.handle for p in c.people if p.handle}) == sum(1 for p in c.people if p.handle)
    assert all(any(ch in p.name for ch in "éèëçïîôâ") for p in c.people if p.slug in ("lea.moreau", "helene.girard"))


def test_camille_as_in_model_section_9(community):
    c = community
    mine = [x for x in c.comments if x.author.slug == "camille.rousseau" and _weeks_ago(c, x.ts) < 13]
    assert sum(1 for x in mine if x.parent is None) == 6
    replies = [x for x in mine if x.parent is not None]
    assert len(replies) == 4
    assert len({_weeks_ago(c, x.ts) for x in mine}) == 7  # online-active 7 of the last 13 weeks
    # two reciprocated counterparts: they answered her back
    back = {x.author.slug for x in c.comments if x.parent in replies}
    assert back == {"thomas.petit", "jeanne.dubois"}
    came = sorted(_weeks_ago(c, a.event.start) for a in c.attendance
                  if a.person.slug == "camille.rousseau" and a.status == "attended" and _weeks_ago(c, a.event.start) < 17)
    assert len(came) == 3 and came[0] <= 3 and 5 <= came[1] <= 9 and 14 <= came[2] <= 17
    hosted = [e for e in c.events if any(h.slug == "camille.rousseau" for h in e.hosts)]
    assert len(hosted) == 1 and 5 <= _weeks_ago(c, hosted[0].start) <= 9
    likes = [n for n in c.notifications if n.account.slug == "camille.rousseau" and n.type == "favourite"
             and _weeks_ago(c, n.ts) < 13]
    assert 10 <= len(likes) <= 40


def test_marc_offline_only_and_lea_likes_only(community):
    c = community
    marc = [a for a in c.attendance if a.person.slug == "marc.lefevre" and a.status == "attended"]
    assert sum(1 for a in marc if _weeks_ago(c, a.event.start) < 15) >= 3
    assert not [x for x in c.comments if x.author.slug == "marc.lefevre"]
    assert not [n for n in c.notifications if n.account.slug == "marc.lefevre"]
    lea = Counter(n.type for n in c.notifications if n.account.slug == "lea.moreau")
    assert set(lea) <= {"favourite", "reblog", "follow"} and lea["favourite"] > 150
    assert not [x for x in c.comments if x.author.slug == "lea.moreau"]
    assert not [a for a in c.attendance if a.person.slug == "lea.moreau"]


def test_cooling_newcomers_prescriber_online_only(community):
    c = community

    def last_act(slug: str) -> int:
        ts = [x.ts for x in c.comments if x.author.slug == slug] + \
             [a.event.start for a in c.attendance if a.person.slug == slug and a.status == "attended"]
        return _weeks_ago(c, max(ts))

    def first_act(slug: str) -> int:
        ts = [x.ts for x in c.comments if x.author.slug == slug] + \
             [a.event.start for a in c.attendance if a.person.slug == slug] + \
             [n.ts for n in c.notifications if n.account.slug == slug]
        return _weeks_ago(c, min(ts))

    for slug, silent in (("helene.girard", 6), ("olivier.fontaine", 5), ("pauline.lambert", 14)):
        assert last_act(slug) >= silent
        assert sum(1 for x in c.comments if x.author.slug == slug) + \
            sum(1 for a in c.attendance if a.person.slug == slug) >= 10
    for slug in ("ines.faure", "remi.gauthier", "zoe.chevalier", "malik.diallo", "chloe.perrin"):
        assert first_act(slug) < 6, slug
    # the prescriber: each of four newcomers' first comment answers one of Julien's
    for slug in ("hugo.blanc", "manon.girard", "yanis.brahimi", "ines.faure"):
        first = min((x for x in c.comments if x.author.slug == slug), key=lambda x: x.ts)
        assert first.parent is not None and first.parent.author.slug == "julien.mercier"
    # online-only: converses every week or so, never at a meetup
    sarah = [x for x in c.comments if x.author.slug == "sarah.benoit" and _weeks_ago(c, x.ts) < 13]
    assert len(sarah) >= 8 and not [a for a in c.attendance if a.person.slug == "sarah.benoit"]


def test_staff_answer_most_comments_not_all(community):
    c = community
    top = [x for x in c.comments if x.author.role == "community" and x.parent is None]
    answered = {x.parent.id for x in c.comments if x.parent is not None and x.author.role in ("staff", "org")}
    rate = sum(1 for x in top if x.id in answered) / len(top)
    assert 0.7 < rate < 0.95
    for slug in ("remi.gauthier", "ines.faure"):
        questions = [x for x in top if x.author.slug == slug and not x.needs_answer]
        assert questions and not any(q.id in answered for q in questions)
    chloe = [s for s in c.statuses if s.author.slug == "chloe.perrin"]
    assert chloe and not any(t.in_reply_to in chloe for t in c.toots)


# -- the files and their import -------------------------------------------------------------------

def _expected_from_files(out: Path) -> dict[tuple[str, str], int]:
    """Acts per (channel, kind), read from the written files without lien."""
    exp: Counter[tuple[str, str]] = Counter()
    root = ET.parse(out / "blog" / "reparlien.WordPress.xml").getroot()
    for item in root.iter("item"):
        if item.findtext(f"{WP}status") == "publish" and item.findtext(f"{WP}post_type") == "post":
            exp["blog:reparlien.example", "post"] += 1
        for cm in item.iter(f"{WP}comment"):
            if cm.findtext(f"{WP}comment_approved") != "1":
                continue
            if cm.findtext(f"{WP}comment_type") in ("pingback", "trackback"):
                exp["blog:reparlien.example", "mention"] += 1
            elif cm.findtext(f"{WP}comment_parent") != "0":
                exp["blog:reparlien.example", "reply"] += 1
            else:
                exp["blog:reparlien.example", "comment"] += 1
    masto = "mastodon:mastodon.example"
    outbox = json.loads((out / "mastodon-archive" / "outbox.json").read_text())
    for it in outbox["orderedItems"]:
        if it["type"] == "Announce":
            exp[masto, "share"] += 1
        else:
            exp[masto, "reply" if it["object"]["inReplyTo"] else "post"] += 1
    exp[masto, "like"] += len(json.loads((out / "mastodon-archive" / "likes.json").read_text())["orderedItems"])
    for name in ("mastodon-notifications.jsonl", "mastodon-followers.jsonl"):
        for line in (out / name).read_text().splitlines():
            exp[masto, json.loads(line)["kind"]] += 1
    mu = "meetup:repar-lien-croix-rousse"
    hosts = set()
    for ev in json.loads((out / "meetup" / "events.json").read_text()):
        hosts |= {(ev["id"], h["id"]) for h in ev["event_hosts"]}
    for r in json.loads((out / "meetup" / "rsvps.json").read_text()):
        exp[mu, {"yes": "rsvp_yes", "no": "rsvp_no", "waitlist": "waitlist"}[r["response"]]] += 1
        if r["member"]["event_context"]["host"]:
            hosts.add((r["event"]["id"], r["member"]["id"]))
    exp[mu, "host"] = len(hosts)
    for a in json.loads((out / "meetup" / "attendance.json").read_text()):
        exp[mu, {"attended": "attend", "noshow": "no_show"}[a["status"]]] += 1
    return dict(exp)


def test_import_matches_the_files(demo):
    ws, result, base = demo
    out = base / "lien-demo"
    got = {(r["channel"], r["kind"]): r["n"] for r in
           ws.rows("SELECT channel, kind, count(*) AS n FROM activities GROUP BY ALL")}
    assert got == _expected_from_files(out)
    events = json.loads((out / "meetup" / "events.json").read_text())
    assert ws.count("events") == len(events) == 36
    # attendance acts point at the events of events.json
    orphans = ws.scalar("SELECT count(*) FROM activities WHERE kind IN ('attend', 'no_show', 'rsvp_yes', 'host') "
                        "AND thread_id NOT IN (SELECT id FROM events)")
    assert orphans == 0
    assert sum(s.added for s in result.imports) == sum(got.values())
    assert {p.name for p in result.parts} == {"blog", "mastodon", "notifications", "followers", "meetup"}
    for p in result.parts:
        assert p.fallback == ({"blog": "wxr", "mastodon": "mastodon", "meetup": "meetup"}.get(p.name, "jsonl")
                              not in registered())


def test_us_and_staff_from_the_demo_config(demo):
    ws, result, base = demo
    assert result.config == base / "lien.toml"
    assert result.config.read_text(encoding="utf-8").startswith(CONFIG_MARK)
    assert ws.config.name == "Répar'Lien"
    org = ws.rows("SELECT channel FROM identities WHERE is_org ORDER BY channel")
    assert {r["channel"] for r in org} >= {"blog:reparlien.example", "mastodon:mastodon.example"}
    staff = {r["display_name"] for r in ws.rows(
        "SELECT DISTINCT i.display_name FROM identities i JOIN people p ON p.id = i.person_id WHERE p.role = 'staff'")}
    assert {"Sophie Garnier", "Karim Benali", "Répar'Lien"} <= staff
    assert not ws.scalar("SELECT count(*) FROM people WHERE role = 'staff' AND display_name LIKE 'Camille%'")


def test_reimport_of_the_files_adds_nothing(demo):
    """`lien import` of the demo's files, in the demo's order, changes nothing. (Each part alone
    may rename identities both the archive and the notifications describe: the last import's
    details win.)"""
    ws, result, base = demo
    before = snapshot(ws)
    sums = do_import(ws, *[x for p in result.parts for x in p.paths])
    assert [s.format for s in sums] == [p.format for p in result.parts for _ in p.paths]
    assert sum(s.added + s.updated for s in sums) == 0
    after = snapshot(ws)
    assert {k: v for k, v in after.items() if k != "sources"} == {k: v for k, v in before.items() if k != "sources"}


def test_fallback_path_gives_the_same_acts(tmp_path, demo):
    ws0, _, _ = demo
    ws = lien.open(tmp_path / "fb.duckdb")
    result = run(ws, tmp_path / "lien-demo", today=TODAY, available={"csv", "jsonl"})
    assert all(p.format == "jsonl" for p in result.parts)
    assert all(p.fallback for p in result.parts if p.name not in ("notifications", "followers"))
    per_kind = "SELECT channel, kind, count(*) AS n FROM activities GROUP BY ALL ORDER BY ALL"
    assert ws.rows(per_kind) == ws0.rows(per_kind)
    assert ws.count("events") == ws0.count("events")
    ws.close()


def test_refuses_a_workspace_with_other_data(tmp_path):
    ws = lien.open(tmp_path / "real.duckdb")
    do_import(ws, Path(__file__).parent / "data" / "tabular" / "acts.csv")
    before = snapshot(ws)
    with pytest.raises(UsageError, match="already holds other data"):
        run(ws, tmp_path / "lien-demo", today=TODAY)
    assert snapshot(ws) == before
    ws.close()
    other = tmp_path / "other"
    other.mkdir()
    (other / "lien.toml").write_text('[organisation]\nname = "Mine"\n', encoding="utf-8")
    ws = lien.open(other / "lien.duckdb")
    with pytest.raises(UsageError, match="is not the demo's"):
        run(ws, other / "lien-demo", today=TODAY)
    assert (other / "lien.toml").read_text(encoding="utf-8").startswith("[organisation]")
    ws.close()


def test_cli_demo_twice_and_json(cli, tmp_path):
    code, out, err = cli("--lang", "fr", "demo")
    assert code == 0, err
    assert "Communauté d'exemple : Répar'Lien" in out and "lien-demo/" in out and "wxr" in out
    assert (tmp_path / "lien.duckdb").exists() and (tmp_path / "lien-demo" / "meetup" / "rsvps.json").exists()
    code, out, err = cli("demo", "--json")  # again: the earlier demo is replaced
    assert code == 0, err
    data = json.loads(out)
    first, last = (date.fromisoformat(d) for d in data["period"])
    assert last == last_complete_sunday(date.today()) and last - first == timedelta(days=7 * 104 - 1)
    assert sum(i["added"] for i in data["imports"]) > 3000
    code, out, err = cli("status", "--json")
    events = json.loads((tmp_path / "lien-demo" / "meetup" / "events.json").read_text())
    assert json.loads(out)["totals"]["events"] == len(events) > 30


def test_this_week_comes_from_the_model(demo):
    ws, result, base = demo
    if result.advice is None:
        pytest.skip("this lien has no model yet (lien.metrics)")
    actions = {a["action"]: a for a in result.advice}
    assert set(actions) <= {"answer", "welcome", "invite", "reconnect", "thank"}
    newcomers = {"Inès Faure", "Rémi Gauthier", "Zoé Chevalier", "Malik Diallo", "Chloé Perrin"}
    assert set(actions["welcome"]["people"]) & newcomers
    assert actions["answer"]["total"] >= 1 and all(i["age_days"] <= 28 for i in actions["answer"]["items"])
    assert "Sophie Garnier" not in actions.get("invite", {}).get("people", [])


def _acted(c: Any) -> dict[str, set[str]]:
    """The channels each member acted on (where lien sees an account of theirs)."""
    on: dict[str, set[str]] = {}
    for x in c.comments:
        on.setdefault(x.author.slug, set()).add("blog")
    for n in c.notifications:
        on.setdefault(n.account.slug, set()).add("mastodon")
    for r in list(c.rsvps) + list(c.attendance):
        on.setdefault(r.person.slug, set()).add("meetup")
    for e in c.events:
        for h in e.hosts:
            on.setdefault(h.slug, set()).add("meetup")
    return on


def test_accounts_meet_in_one_person_as_the_files_allow(demo, community):
    """A member's blog, Mastodon and Meetup accounts are one person when the files link them
    (their website on the blog, the link their Mastodon profile shows: their Meetup profile);
    the few who give no link stay apart, for `lien identities suggest`. Expected from the
    cast's own table (website, declares), not from lien."""
    ws, result, base = demo
    c = community
    on = _acted(c)
    members = [p for p in c.people if p.role == "community" and p.slug in on]
    got: dict[str, list[list[str]]] = {}
    for r in ws.rows("SELECT p.id, list(DISTINCT split_part(i.channel, ':', 1)) AS ch, "
                     "list(DISTINCT i.display_name) AS names FROM people p JOIN identities i ON i.person_id = p.id "
                     "WHERE NOT i.is_org GROUP BY p.id"):
        for n in r["names"]:
            got.setdefault(n, []).append(sorted(r["ch"]))
    for p in members:
        assert sorted(got.get(p.name, [])) == sorted(sorted(g) for g in clusters(p, on[p.slug])), p.name
    several = [p for p in members if len(on[p.slug]) > 1]
    merged = [p for p in several if len(clusters(p, on[p.slug])) == 1]
    apart = [p for p in several if len(clusters(p, on[p.slug])) > 1]
    assert len(merged) >= 30 and 1 <= len(apart) <= 5
    # every member on both tracks of the named cast is one person
    for slug in ("camille.rousseau", "jeanne.dubois", "thomas.petit", "nadia.haddad", "julien.mercier",
                 "helene.girard", "olivier.fontaine", "hugo.blanc"):
        assert len(clusters(c.person(slug), on[slug])) == 1 and len(on[slug]) >= 2, slug
    cam = c.person("camille.rousseau")
    assert on[cam.slug] == {"blog", "mastodon", "meetup"}
    assert got[cam.name] == [["blog", "mastodon", "meetup"]]


def test_invite_names_only_people_who_never_came(demo, community):
    ws, result, base = demo
    if result.advice is None:
        pytest.skip("this lien has no model yet (lien.metrics)")
    from lien.metrics import persons

    c = community
    came = {a.person.name for a in c.attendance if a.status == "attended"}
    online = [r["name"] for r in persons.people(ws, tag="online-only", limit=None)["people"]
              if r.get("role", "community") == "community"]
    assert "Sarah Benoît" in online and "Lucas Roux" in online
    assert not set(online) & came
    invite = next(a for a in result.advice if a["action"] == "invite")
    assert not set(invite["people"]) & came and invite["total"] == len(online)


def test_the_accounts_left_apart_are_suggested(demo, community):
    """The members whose accounts no rule can bring together (they give no link) are what
    `lien identities suggest` is for: at its default threshold it offers each of their pairs
    of accounts, and never one of our own accounts. Expected from the cast, not from lien."""
    pytest.importorskip("splink", reason="identity suggestions need the identity extra (splink)")
    from lien.identity.suggest import suggest

    ws, result, base = demo
    c = community
    on = _acted(c)
    apart = {p.name for p in c.people if p.role == "community" and p.slug in on
             and len(clusters(p, on[p.slug])) > 1}
    assert apart
    rows = suggest(ws)
    same = {s["a_name"] for s in rows if s["a_name"] == s["b_name"]}
    assert apart <= same, apart - same
    org = {r["id"] for r in ws.rows("SELECT id FROM identities WHERE is_org")}
    assert org and not org & {x for s in rows for x in (s["a_id"], s["b_id"])}
    assert all(s["score"] >= 0.5 for s in rows)
