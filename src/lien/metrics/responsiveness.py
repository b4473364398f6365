"""What we owe people: items needing a reply, the inbox, and how fast we answer (MODEL.md §5, §6, §8 R1–R3).

Definitions (the contract the tests pin):

* **Us** = identities with ``is_org``, or whose person has ``role = 'staff'`` (``lien.toml``
  ``[organisation] identities`` / ``staff``). **Bots** = ``is_bot`` or ``role = 'bot'``.
  **Community** = everybody else.
* An **item needing a reply** is a ``comment``, ``reply``, ``message`` or ``mention`` by a community
  identity that is addressed to us, i.e. at least one of:

  - its ``target`` is one of our identities;
  - its parent (``in_reply_to``) is an act of ours;
  - it sits in a thread whose root (the act whose id is the ``thread_id``) is ours, and it is
    a top-level answer to that root (no parent, or the parent is the root itself).

  A member answering another member inside our thread is conversation between members, not
  owed a reply (unless it names us as target). Automatic notices (``native.type`` or
  ``native.comment_type`` pingback, trackback, webmention) are neither items nor answers.
* An item is **answered** by the first act of ours (``comment``, ``reply``, ``message``,
  ``mention``) that either replies to it (``in_reply_to`` = the item), or comes later in the same
  thread, or — for an item outside any thread (a direct message) — comes later on the same channel
  and addresses the item's author. Blogs rarely thread answers (the author answers "below"), so
  a later act of ours in the thread counts: one answer can answer several earlier items.
* **Reply time** = hours from the item to that first answer. An answer given after the as-of
  week does not count yet.

Figures are computed over the acts up to the end of the as-of week; no Python loop per act.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from .. import i18n
from .base import ibis_backend, resolve_as_of

ITEM_KINDS = ("comment", "reply", "message", "mention")
ANSWER_KINDS = ("comment", "reply", "message", "mention")
SUBSTANTIVE = ("post", "comment", "reply", "message", "mention")
OFFLINE = ("attend", "volunteer", "speak", "host")
NOTICE_TYPES = ("pingback", "trackback", "webmention")


def period_end(as_of_week_end: date) -> datetime:
    """The exclusive upper bound of an as-of week (Monday 00:00 after its Sunday)."""
    return datetime.combine(as_of_week_end + timedelta(days=1), datetime.min.time())


def roles(ws: Any) -> Any:
    """Per identity: its person, a display name, and whether it is us, a bot, or community."""
    import ibis

    b = ibis_backend(ws)
    ids, ppl = b.table("identities"), b.table("people")
    j = ids.left_join(ppl, ids.person_id == ppl.id)
    return j.select(
        identity_id=ids.id,
        person_id=ids.person_id.fill_null(ids.id),
        name=ibis.coalesce(ppl.display_name, ids.display_name, ids.key),
        id_channel=ids.channel,
        us=ids.is_org | (ppl.role.fill_null("community") == "staff"),
        bot=ids.is_bot | (ppl.role.fill_null("community") == "bot"),
    )


def acts_until(ws: Any, end: datetime) -> Any:
    b = ibis_backend(ws)
    a = b.table("activities")
    return a.filter(a.ts < end)


def _notice(t: Any) -> Any:
    """Automatic notices (pingbacks, trackbacks): neither items nor answers."""
    return (t.native["type"].str.isin(NOTICE_TYPES).fill_null(False)
            | t.native["comment_type"].str.isin(NOTICE_TYPES).fill_null(False))


def items(ws: Any, as_of: str | date | None = None) -> Any:
    """Every item needing a reply up to the as-of week, with when and how we answered.

    An Ibis table: ``id, channel, kind, ts, identity_id, person_id, name, url, title, text,
    thread_id, answered_at, answer_id, hours`` (null when unanswered), ``first_of_person``
    (True for the person's very first substantive act: the newcomer's first item)."""
    import ibis

    end = period_end(resolve_as_of(ws, as_of))
    r = roles(ws)
    a = acts_until(ws, end)
    ours_ids = r.filter(r.us).select(oid=r.identity_id)
    ours = a.filter(a.identity_id.isin(ours_ids.oid))
    parent = a.select(p_id=a.id, p_ident=a.identity_id)
    root = a.select(r_id=a.id, r_ident=a.identity_id, r_url=a.url, r_title=a.title)
    who = r.select(w_ident=r.identity_id, person_id=r.person_id, name=r.name, w_us=r.us, w_bot=r.bot)

    c = a.filter(a.kind.isin(ITEM_KINDS) & a.identity_id.notnull())
    c = c.filter(~_notice(c))
    c = c.join(who, c.identity_id == who.w_ident)
    c = c.filter(~c.w_us & ~c.w_bot)
    c = c.left_join(parent, c.in_reply_to == parent.p_id)
    c = c.left_join(root, c.thread_id == root.r_id)
    to_us = c.target_identity_id.isin(ours_ids.oid).fill_null(False)
    parent_ours = c.p_ident.isin(ours_ids.oid).fill_null(False)
    top_level = c.in_reply_to.isnull() | (c.in_reply_to == c.thread_id)
    root_ours = c.r_ident.isin(ours_ids.oid).fill_null(False) & top_level.fill_null(False)
    it = c.filter(to_us | parent_ours | root_ours).select(
        "id", "channel", "kind", "ts", "identity_id", "person_id", "name", "thread_id", "text",
        url=ibis.coalesce(c.url, c.r_url), title=c.r_title,
    )

    # answers, three equi-joins then the first per item
    o = ours.filter(ours.kind.isin(ANSWER_KINDS) & ~_notice(ours)).select(
        o_id=ours.id, o_ts=ours.ts, o_parent=ours.in_reply_to, o_thread=ours.thread_id,
        o_target=ours.target_identity_id, o_channel=ours.channel)
    k = it.select(i_id=it.id, i_ts=it.ts, i_thread=it.thread_id, i_ident=it.identity_id, i_channel=it.channel)
    direct = k.join(o, k.i_id == o.o_parent)
    threaded = k.join(o, (k.i_thread == o.o_thread) & (o.o_ts > k.i_ts))
    dm = k.filter(k.i_thread.isnull()).join(
        o, (k.i_ident == o.o_target) & (k.i_channel == o.o_channel) & (o.o_ts > k.i_ts))
    cols = ("i_id", "o_id", "o_ts")
    ans = direct.select(*cols).union(threaded.select(*cols)).union(dm.select(*cols))
    first = ans.group_by("i_id").aggregate(answered_at=ans.o_ts.min(), answer_id=ans.o_id.argmin(ans.o_ts))

    # the person's first substantive act (newcomers' first item, R3)
    sp = r.select(s_ident=r.identity_id, s_person=r.person_id)
    s = a.filter(a.kind.isin(SUBSTANTIVE) & a.identity_id.notnull())
    s = s.join(sp, s.identity_id == sp.s_ident)
    firsts = s.group_by(f_person=s.s_person).aggregate(f_ts=s.ts.min(), f_id=s.id.argmin(s.ts))

    out = it.left_join(first, it.id == first.i_id).left_join(firsts, it.person_id == firsts.f_person)
    hours = (out.answered_at.epoch_seconds() - out.ts.epoch_seconds()) / 3600.0
    return out.select(
        "id", "channel", "kind", "ts", "identity_id", "person_id", "name", "url", "title", "text", "thread_id",
        "answered_at", "answer_id",
        hours=ibis.ifelse(hours < 0, 0.0, hours),
        first_of_person=(out.f_id == out.id).fill_null(False),
    )


def materialize(ws: Any, name: str, expr: Any) -> Any:
    """Compute ``expr`` once into a temporary table (several aggregates then read it cheaply)."""
    import ibis

    b = ibis_backend(ws)
    b.raw_sql(f"CREATE OR REPLACE TEMP TABLE {name} AS {ibis.to_sql(expr)}").fetchall()
    return b.table(name)


def items_table(ws: Any, week: date) -> Any:
    """:func:`items` computed once into a temporary table."""
    return materialize(ws, "_lien_items", items(ws, week))


def inbox(ws: Any, as_of: str | date | None = None, *, channel: str | None = None,
          since: str | date | None = None, limit: int | None = None) -> dict[str, Any]:
    """Items still needing our reply at the end of the as-of week, oldest first."""
    week = resolve_as_of(ws, as_of)
    end = period_end(week)
    all_items = items_table(ws, week)
    t = all_items.filter(all_items.answered_at.isnull())
    if channel:
        t = t.filter(t.channel == channel)
    if since:
        from .base import parse_date

        t = t.filter(t.ts >= datetime.combine(parse_date(since, "--since"), datetime.min.time()))
    total = int(t.count().execute())
    q = t.order_by(["ts", "id"])
    if limit:
        q = q.limit(limit)
    rows = q.to_pyarrow().to_pylist()
    out = []
    for r in rows:
        ts = r["ts"]
        text = (r["text"] or "").replace("\n", " ").strip()
        out.append({
            "id": r["id"], "ts": ts, "age_days": round((end - ts).total_seconds() / 86400, 1),
            "who": r["name"], "person_id": r["person_id"], "channel": r["channel"], "kind": r["kind"],
            "url": r["url"], "title": r["title"], "text": text[:140] + ("…" if len(text) > 140 else ""),
            "newcomer": bool(r["first_of_person"]),
        })
    return {"as_of": week, "total": total, "items": out, "people": unanswered_people(ws, week, table=all_items)}


def unanswered_people(ws: Any, as_of: str | date | None = None, *, min_items: int = 2,
                      days: int = 90, table: Any = None) -> list[dict[str, Any]]:
    """People with ≥ ``min_items`` items left unanswered beyond the limit (72 h) in ``days`` days (MODEL.md §5)."""
    week = resolve_as_of(ws, as_of)
    end = period_end(week)
    limit_h = float(ws.config.model["response"]["unanswered_hours"])
    t = table if table is not None else items_table(ws, week)
    late = t.hours.isnull() | (t.hours > limit_h)
    t = t.filter((t.ts >= end - timedelta(days=days)) & (t.ts <= end - timedelta(hours=limit_h)) & late)
    g = t.group_by(["person_id", "name"]).aggregate(items=t.count(), oldest=t.ts.min(), latest=t.ts.max())
    g = g.filter(g.items >= min_items).order_by([g.items.desc(), "oldest"])
    return [{"person_id": r["person_id"], "who": r["name"], "items": int(r["items"]),
             "oldest": r["oldest"], "latest": r["latest"]}
            for r in g.to_pyarrow().to_pylist()]


def _stats(t: Any, end: datetime, target_h: float, limit_h: float) -> dict[str, Any]:
    """The aggregations of one group of items (used whole, per channel and per month)."""
    el_t = t.ts <= end - timedelta(hours=target_h)
    el_l = t.ts <= end - timedelta(hours=limit_h)
    ok_t = el_t & (t.hours <= target_h).fill_null(False)
    ok_l = el_l & (t.hours <= limit_h).fill_null(False)
    nf = t.first_of_person & el_l
    return dict(
        items=t.count(),
        answered=t.answered_at.notnull().sum(),
        eligible_target=el_t.sum(), within_target=ok_t.sum(),
        eligible_limit=el_l.sum(), within_limit=ok_l.sum(),
        median_hours=t.hours.median(), p90_hours=t.hours.quantile(0.9),
        newcomer_items=nf.sum(), newcomers_answered=(nf & ok_l).sum(),
    )


def _pct(n: Any, d: Any) -> float | None:
    return round(100.0 * float(n) / float(d), 1) if d else None


def _finish(r: dict[str, Any]) -> dict[str, Any]:
    out = {k: (v if k in ("median_hours", "p90_hours") else int(v or 0)) for k, v in r.items()}
    for k in ("median_hours", "p90_hours"):
        v = out.get(k)
        out[k] = None if v is None or v != v else round(float(v), 2)
    out["coverage_target"] = _pct(out["within_target"], out["eligible_target"])
    out["coverage_limit"] = _pct(out["within_limit"], out["eligible_limit"])
    out["newcomer_coverage"] = _pct(out["newcomers_answered"], out["newcomer_items"])
    out["unanswered"] = out["items"] - out["answered"]
    return out


def responsiveness(ws: Any, as_of: str | date | None = None, *, since: str | date | None = None,
                   months: int = 12, channel: str | None = None) -> dict[str, Any]:
    """R1 (coverage within the target and the limit), R2 (median and p90 time to first response),
    R3 (newcomers' first items answered within the limit): over the period (default: the 13 weeks
    ending with the as-of week), per channel, and per month."""
    from .base import parse_date

    week = resolve_as_of(ws, as_of)
    end = period_end(week)
    cfg = ws.config.model["response"]
    target_h, limit_h = float(cfg["target_hours"]), float(cfg["unanswered_hours"])
    start_d = parse_date(since, "--since") if since else week - timedelta(weeks=13) + timedelta(days=1)
    start = datetime.combine(start_d, datetime.min.time())
    t = items_table(ws, week)
    if channel:
        t = t.filter(t.channel == channel)
    p = t.filter(t.ts >= start)
    whole = _finish(p.aggregate(**_stats(p, end, target_h, limit_h)).to_pyarrow().to_pylist()[0])
    per_ch = [
        {"channel": r.pop("channel"), **_finish(r)}
        for r in p.group_by("channel").aggregate(**_stats(p, end, target_h, limit_h)).order_by("channel")
        .to_pyarrow().to_pylist()
    ]
    if since:
        m_start = start
    else:
        y, m = week.year, week.month - (months - 1)
        while m <= 0:
            y, m = y - 1, m + 12
        m_start = datetime(y, m, 1)
    pm = t.filter(t.ts >= m_start)
    pm = pm.mutate(month=pm.ts.truncate("M"))
    per_month = []
    for r in pm.group_by("month").aggregate(**_stats(pm, end, target_h, limit_h)).order_by("month") \
            .to_pyarrow().to_pylist():
        month = r.pop("month")
        per_month.append({"month": month.strftime("%Y-%m"), **_finish(r)})
    return {"as_of": week, "since": start.date(), "hours": {"target": target_h, "limit": limit_h},
            "overall": whole, "channels": per_ch, "months": per_month}


def dialogue(ws: Any, person_id: str, as_of: str | date | None = None, *, days: int = 365) -> dict[str, Any]:
    """The org↔person dialogue panel (MODEL.md §6): share of the person's items we answered within
    the limit, their median reply time, who initiated the last 5 exchanges, the last two-way
    exchange, channels used."""
    week = resolve_as_of(ws, as_of)
    end = period_end(week)
    limit_h = float(ws.config.model["response"]["unanswered_hours"])
    t = items_table(ws, week)
    t = t.filter((t.person_id == person_id) & (t.ts >= end - timedelta(days=days)))
    st = _finish(t.aggregate(**_stats(t, end, float(ws.config.model["response"]["target_hours"]), limit_h))
                 .to_pyarrow().to_pylist()[0])
    # exchanges between us and the person: their items and our acts addressed to them
    r = roles(ws)
    a = acts_until(ws, end)
    mine = r.filter(r.person_id == person_id).select(m=r.identity_id)
    ours = r.filter(r.us).select(u=r.identity_id)
    ex = a.filter(a.kind.isin(SUBSTANTIVE) & (a.ts >= end - timedelta(days=days)))
    import ibis

    theirs = t.select(ts=t.ts.cast("timestamp(6)"), channel=t.channel.cast("string"),
                      initiator=ibis.literal("person"))
    to_them = ex.filter(ex.identity_id.isin(ours.u) & ex.target_identity_id.isin(mine.m)).select(
        ts=ex.ts.cast("timestamp(6)"), channel=ex.channel.cast("string"), initiator=ibis.literal("us"))
    both = theirs.union(to_them)
    last5 = both.order_by(both.ts.desc()).limit(5).to_pyarrow().to_pylist()
    two_way = t.filter(t.answered_at.notnull()).answered_at.max().to_pyarrow().as_py()
    chans = sorted(r["channel"] for r in both.select("channel").distinct().to_pyarrow().to_pylist()) if len(last5) else []
    return {
        "person_id": person_id, "as_of": week, "items": st["items"],
        "answered_within_limit_pct": st["coverage_limit"], "median_hours": st["median_hours"],
        "last_exchanges": [{"ts": x["ts"], "initiator": x["initiator"], "channel": x["channel"]}
                           for x in last5],
        "last_two_way": two_way,
        "channels": chans,
    }


i18n.register({
    "resp.col.when": {"en": "when", "fr": "quand"},
    "resp.col.age": {"en": "age (days)", "fr": "âge (jours)"},
    "resp.col.who": {"en": "who", "fr": "qui"},
    "resp.col.link": {"en": "link", "fr": "lien"},
    "resp.col.what": {"en": "what", "fr": "quoi"},
    "resp.col.items": {"en": "items", "fr": "éléments"},
    "resp.col.unanswered": {"en": "unanswered", "fr": "sans réponse"},
    "resp.col.median": {"en": "median (h)", "fr": "médiane (h)"},
    "resp.col.p90": {"en": "p90 (h)", "fr": "p90 (h)"},
    "resp.col.newcomers": {"en": "newcomers ≤ {h} h", "fr": "nouveaux ≤ {h} h"},
    "resp.col.cov": {"en": "≤ {h} h", "fr": "≤ {h} h"},
    "resp.col.month": {"en": "month", "fr": "mois"},
    "resp.col.oldest": {"en": "oldest", "fr": "le plus ancien"},
    "resp.inbox.title": {"en": "{n} items waiting for our reply (as of week ending {week})",
                         "fr": "{n} éléments attendent notre réponse (semaine finissant le {week})"},
    "resp.inbox.empty": {"en": "Nothing waits for a reply. Well done.",
                         "fr": "Rien n'attend de réponse. Bravo."},
    "resp.inbox.more": {"en": "… and {n} more (--limit 0 shows all)", "fr": "… et {n} de plus (--limit 0 pour tout voir)"},
    "resp.inbox.people": {"en": "People we left unanswered twice or more (> {h} h, 90 days)",
                          "fr": "Personnes restées sans réponse au moins deux fois (> {h} h, 90 jours)"},
    "resp.title": {"en": "Responsiveness from {since} to the week ending {week}",
                   "fr": "Réactivité du {since} à la semaine finissant le {week}"},
    "resp.summary": {"en": "{items} items addressed to us, {unanswered} unanswered. Answered ≤ {t} h: {ct}; ≤ {l} h: {cl}. "
                           "Time to first response: median {med} h, p90 {p90} h. Newcomers' first items answered ≤ {l} h: {nc}.",
                     "fr": "{items} éléments qui nous sont adressés, {unanswered} sans réponse. Répondus ≤ {t} h : {ct} ; "
                           "≤ {l} h : {cl}. Délai de première réponse : médiane {med} h, p90 {p90} h. "
                           "Premiers messages des nouveaux répondus ≤ {l} h : {nc}."},
    "resp.by_channel": {"en": "Per channel", "fr": "Par canal"},
    "resp.by_month": {"en": "Per month", "fr": "Par mois"},
    "resp.none": {"en": "n/a", "fr": "n/d"},
})
