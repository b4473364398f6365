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
