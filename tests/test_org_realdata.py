"""Responsiveness, presence and event figures on real files equal a separate, simple reference
computation made here from the raw files (ElementTree / json / icalendar), not with lien's code.

The CC Labs blog (wxr-cc-labs/wordpress.xml): "us" = the blog's authors, configured in lien.toml
by their logins. A comment is ours when its comment_user_id is an author's id.
"""
from __future__ import annotations

import html
import math
import statistics
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest

from conftest import do_import

WP = "{http://wordpress.org/export/1.2/}"
DC = "{http://purl.org/dc/elements/1.1/}"


def quantile(values, q):
    """Linear interpolation between closest ranks (numpy's default)."""
    v = sorted(values)
    pos = (len(v) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def norm(k: str) -> str:
    k = k.strip().lower()
    return k.rstrip("/") if k.startswith(("http://", "https://")) else k


class Blog:
    """The CC Labs export read with ElementTree."""

    def __init__(self, path):
        root = ET.parse(path).getroot()
        ch = root.find("channel")
        self.logins = [a.findtext(f"{WP}author_login") for a in ch.findall(f"{WP}author")]
        self.author_ids = {a.findtext(f"{WP}author_id") for a in ch.findall(f"{WP}author")}
        self.posts = []  # (ts, author login)
        self.comments = []  # dicts
        for item in ch.findall("item"):
            if item.findtext(f"{WP}status") != "publish" or item.findtext(f"{WP}post_type") not in ("post", "page"):
                continue
            pid = item.findtext(f"{WP}post_id")
            self.posts.append((datetime.fromisoformat(item.findtext(f"{WP}post_date_gmt")), item.findtext(f"{DC}creator")))
            for c in item.findall(f"{WP}comment"):
                if c.findtext(f"{WP}comment_approved") != "1":
                    continue
                ctype = (c.findtext(f"{WP}comment_type") or "").strip() or "comment"
                name = html.unescape((c.findtext(f"{WP}comment_author") or "").strip())
                who = (c.findtext(f"{WP}comment_author_email") or "").strip() or \
                    (c.findtext(f"{WP}comment_author_url") or "").strip() or name
                # ours: written while logged in as an author, or under an author's login as the name
                # or key (lien.toml entries match keys and display names, case-insensitively)
                ours = (c.findtext(f"{WP}comment_user_id") or "0").strip() in self.author_ids or \
                    name.lower() in self.logins or norm(who) in self.logins
                self.comments.append(dict(
                    id=c.findtext(f"{WP}comment_id"), post=pid, type=ctype,
                    parent=(c.findtext(f"{WP}comment_parent") or "0").strip(),
                    ours=ours,
                    who=norm(who), ts=datetime.fromisoformat(c.findtext(f"{WP}comment_date_gmt"))))

    def items(self):
        """Comments by community members addressed to us, each with its reply time (or None)."""
        byid = {c["id"]: c for c in self.comments}
        convo = [c for c in self.comments if c["type"] == "comment"]
        first = {}
        for c in sorted(convo, key=lambda c: c["ts"]):
            if not c["ours"]:
                first.setdefault(c["who"], c["id"])
        out = []
        for c in convo:
            if c["ours"]:
                continue
            parent = byid.get(c["parent"]) if c["parent"] != "0" else None
            if parent is not None and not parent["ours"]:
                continue  # a member answering a member
            answers = [o["ts"] for o in convo if o["ours"] and o["post"] == c["post"]
                       and (o["ts"] > c["ts"] or o["parent"] == c["id"])]
            hours = max(0.0, (min(answers) - c["ts"]).total_seconds() / 3600) if answers else None
            out.append(dict(c, hours=hours, newcomer=first.get(c["who"]) == c["id"]))
        return out


@pytest.fixture(scope="module")
def blog_path(request):
    from conftest import SHARED

    p = SHARED / "wxr-cc-labs" / "wordpress.xml"
    if not p.exists():
        pytest.skip("real data absent")
    return p


@pytest.fixture(scope="module")
def blog_ws(tmp_path_factory, blog_path):
    """One workspace for the module (read-only use): the blog imported with its authors as us."""
    import lien

    ref = Blog(blog_path)
    ws = lien.open(tmp_path_factory.mktemp("blog") / "lien.duckdb")
    ws.config_path.write_text("[organisation]\nidentities = [" + ", ".join(f'"{x}"' for x in ref.logins) + "]\n")
    ws.reload_config()
    do_import(ws, blog_path)
    yield ws, ref
    ws.close()


def test_blog_responsiveness_equals_reference(blog_ws):
    from lien.metrics import responsiveness as R

    ws, ref = blog_ws
    items = ref.items()
    r = R.responsiveness(ws, "2014-12-31", since="2000-01-01")
    o = r["overall"]
    answered = [i["hours"] for i in items if i["hours"] is not None]
    assert o["items"] == len(items)
    assert o["answered"] == len(answered)
    assert o["within_target"] == sum(1 for h in answered if h <= 24)
    assert o["within_limit"] == sum(1 for h in answered if h <= 72)
    assert o["median_hours"] == round(statistics.median(answered), 2)
    assert o["p90_hours"] == round(quantile(answered, 0.9), 2)
    newcomers = [i for i in items if i["newcomer"]]
    assert o["newcomer_items"] == len(newcomers)
    assert o["newcomers_answered"] == sum(1 for i in newcomers if i["hours"] is not None and i["hours"] <= 72)
    # per month: the count of items of each month
    per_month = defaultdict(int)
    for i in items:
        per_month[i["ts"].strftime("%Y-%m")] += 1
    assert {m["month"]: m["items"] for m in r["months"]} == dict(per_month)
    assert [c["channel"] for c in r["channels"]] == ["blog:labs.creativecommons.org"]
    # the inbox holds exactly the unanswered ones
    inbox = R.inbox(ws, "2014-12-31")
    assert inbox["total"] == len(items) - len(answered)
    assert [i["ts"] for i in inbox["items"]] == sorted(i["ts"] for i in items if i["hours"] is None)[:50]


def _window(as_of: str):
    d = date.fromisoformat(as_of)
    end = datetime.combine(d - timedelta(days=d.weekday()) + timedelta(days=7), datetime.min.time())
    return end - timedelta(weeks=13), end


@pytest.mark.parametrize("as_of", ["2008-09-30", "2010-03-31", "2010-07-31", "2011-01-05", "2012-07-15"])
def test_blog_presence_equals_reference(blog_ws, blog_path, as_of):
    from lien.metrics import presence as P

    ws, ref = blog_ws
    start, end = _window(as_of)
    assert all(a in ref.logins for _, a in ref.posts)  # every post is by one of us
    pubs = sorted(ts for ts, _ in ref.posts if start <= ts < end)
    weeks = {int((ts - start).total_seconds() // (7 * 86400)) for ts in pubs}
    edges = [start, *pubs, end]
    longest = max((b - a).total_seconds() for a, b in zip(edges, edges[1:])) / 86400
    convo = [c for c in ref.comments if c["type"] == "comment"]
    ours_in = [c for c in convo if c["ours"] and start <= c["ts"] < end]
    community_in = [c for c in convo if not c["ours"] and start <= c["ts"] < end]
    kept = {c["id"] for c in ref.comments}
    threads = defaultdict(list)
    post_ts = {}
    # thread start: the earliest act of the thread (post or comment)
    root = ET.parse(blog_path).getroot()
    for item in root.find("channel").findall("item"):
        if item.findtext(f"{WP}status") == "publish" and item.findtext(f"{WP}post_type") in ("post", "page"):
            post_ts[item.findtext(f"{WP}post_id")] = datetime.fromisoformat(item.findtext(f"{WP}post_date_gmt"))
    for c in convo:
        threads[c["post"]].append(c)
    n_threads = deep = 0
    for pid, pts in post_ts.items():
        cs = threads.get(pid, [])
        started = min([pts, *[c["ts"] for c in cs]])
        if not (start <= started < end):
            continue
        n_threads += 1
        member = any(not c["ours"] for c in cs)
        nested = any(c["parent"] != "0" and c["parent"] in kept for c in cs)
        deep += member and nested
    [c] = P.channels(ws, as_of)["channels"]
    assert c["channel"] == "blog:labs.creativecommons.org"
    assert c["presence_weeks"] == len(weeks)
    assert c["publications"] == len(pubs)
    assert c["longest_silence_days"] == round(longest, 1)
    assert (c["org_posts"], c["org_replies"]) == (len(pubs), len(ours_in))
    assert c["community_acts"] == len(community_in)
    assert (c["threads"], c["deep_threads"]) == (n_threads, deep)
    last = max(ts for ts, _ in ref.posts if ts < end)
    assert c["silent_for_days"] == round((end - last).total_seconds() / 86400, 1)


def test_blog_threaded_replies_make_deep_threads(blog_ws):
    from lien.metrics import presence as P

    ws, _ = blog_ws
    # post 473 (2010-05-20) has a member's comment answered by a threaded reply of ours (2010-07-07)
    [c] = P.channels(ws, "2010-07-31")["channels"]
    assert c["deep_threads"] == 1


def test_meetup_events_equal_reference(ws, shared):
    """perceval-tests/meetup: 3 distinct events of sqlpass-es (the 'range' file repeats one), hosts
    from event_hosts (a host counts as a check-in), 3 yes-RSVPs, 2 comments."""
    import json
    import re

    from lien.metrics import events as E

    d = shared / "perceval-tests" / "meetup"
    files = ["meetup_events.json", "meetup_events_next.json", "meetup_events_range.json", "meetup_rsvps.json",
             "meetup_comments.json"]
    do_import(ws, *[d / f for f in files], format="meetup")
    evs = {}
    for f in files[:3]:
        for e in json.loads((d / f).read_text()):
            num = re.search(r"/events/(\d+)/", e["link"]).group(1)
            evs[num] = (datetime.utcfromtimestamp(e["time"] / 1000), {str(h["id"]) for h in e.get("event_hosts", [])})
    yes = defaultdict(set)
    for r in json.loads((d / "meetup_rsvps.json").read_text()):
        if r["response"] == "yes":
            yes[str(r["event"]["id"])].add(str(r["member"]["id"]))
        if r["member"].get("event_context", {}).get("host"):
            evs[str(r["event"]["id"])][1].add(str(r["member"]["id"]))
    comments = [(datetime.utcfromtimestamp(c["created"] / 1000), str(c["member"]["id"]))
                for c in json.loads((d / "meetup_comments.json").read_text())]
    order = sorted(evs, key=lambda k: evs[k][0])
    first = {}
    for k in order:
        for m in evs[k][1]:
            first.setdefault(m, k)
    data = E.events(ws, "2016-12-31")
    assert data["total_events"] == len(evs) == 3
    by_start = {e["starts_at"]: e for e in data["events"]}
    for i, k in enumerate(order):
        start, hosts = evs[k]
        e = by_start[start]
        fts = {m for m, f in first.items() if f == k}
        assert (e["yes"], e["checkins"], e["first_timers"]) == (len(yes[k]), len(hosts), len(fts))
        assert e["show_up_pct"] is None  # no attendance list in these files
        nxt = order[i + 1:i + 3]
        if len(nxt) == 2:
            assert e["returned"] == sum(1 for m in fts if any(m in evs[n][1] for n in nxt))
        else:
            assert e["returned"] is None
    # per quarter: E3 from the commenters, E4 from hosts commenting within 4 weeks of their event
    quarters = {q["quarter"]: q for q in data["quarters"]}

    def qname(ts):
        return f"{ts.year}-Q{(ts.month - 1) // 3 + 1}"

    for qn, q in quarters.items():
        in_q = [k for k in order if qname(evs[k][0]) == qn]
        assert q["events"] == len(in_q)
        assert q["checkins"] == sum(len(evs[k][1]) for k in in_q)
        online = {m for ts, m in comments if qname(ts) == qn}
        attendees = {m for k in in_q for m in evs[k][1]}
        assert (q["online_people"], q["converted"]) == (len(online), len(online & attendees))
        activated = {m for k in in_q for m in evs[k][1]
                     if any(cm == m and evs[k][0] < ts <= evs[k][0] + timedelta(days=28) for ts, cm in comments)}
        assert (q["attendees"], q["activated"]) == (len(attendees), len(activated))


def test_ical_events_equal_reference(ws, shared):
    """Three calendars expanded over a fixed window; events per quarter and answers from the raw
    files (icalendar + recurring-ical-events in the test, cancelled events left out, rooms and
    Google calendars are not people)."""
    import icalendar
    import recurring_ical_events

    from lien.metrics import events as E

    d = shared / "ical-recurring-ical-events"
    names = ["fablab_cottbus.ics", "machbar_16_feb_2019.ics", "discourse_no_dtend.ics"]
    do_import(ws, *[d / n for n in names], extra={"since": "2016-01-01", "until": "2019-12-31"})
    per_q = defaultdict(int)
    yes = 0
    for n in names:
        cal = icalendar.Calendar.from_ical((d / n).read_bytes())
        for ev in recurring_ical_events.of(cal).between(date(2016, 1, 1), date(2020, 1, 1)):
            if str(ev.get("STATUS", "")).upper() == "CANCELLED":
                continue
            start = ev.decoded("DTSTART")
            if isinstance(start, datetime):
                if start.tzinfo is None:
                    tzname = str(cal.get("X-WR-TIMEZONE", "") or "")
                    if tzname:
                        from zoneinfo import ZoneInfo

                        start = start.replace(tzinfo=ZoneInfo(tzname))
                if start.tzinfo is not None:
                    start = start.astimezone(__import__("datetime").timezone.utc).replace(tzinfo=None)
            else:
                start = datetime.combine(start, datetime.min.time())
            per_q[f"{start.year}-Q{(start.month - 1) // 3 + 1}"] += 1
            atts = ev.get("ATTENDEE", [])
            for a in atts if isinstance(atts, list) else [atts]:
                if str(a.params.get("PARTSTAT", "")).upper() == "ACCEPTED" and \
                        not str(a).lower().endswith("@group.calendar.google.com") and \
                        str(a.params.get("CUTYPE", "INDIVIDUAL")).upper() not in ("ROOM", "RESOURCE"):
                    yes += 1
    data = E.events(ws, "2019-12-31")
    assert data["total_events"] == sum(per_q.values())
    assert {q["quarter"]: q["events"] for q in data["quarters"]} == dict(per_q)
    assert sum(q["rsvp_yes"] for q in data["quarters"]) == yes
    assert all(q["show_up_pct"] is None for q in data["quarters"])
