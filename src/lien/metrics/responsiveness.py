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
from .sqlcache import create_temp, memo, query, shared

ITEM_KINDS = ("comment", "reply", "message", "mention")
ANSWER_KINDS = ("comment", "reply", "message", "mention")
SUBSTANTIVE = ("post", "comment", "reply", "message", "mention")
OFFLINE = ("attend", "volunteer", "speak", "host")
NOTICE_TYPES = ("pingback", "trackback", "webmention")


def first_answers(it: Any, ours: Any) -> Any:
    """Per item (``it``: id, ts, thread_id, identity_id, channel), our first answer: a reply to
    it, a later act of ours in its thread, or (outside threads) a later message of ours to its
    author on its channel; three equi-joins, then the first per item."""
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
    return ans.group_by("i_id").aggregate(answered_at=ans.o_ts.min(), answer_id=ans.o_id.argmin(ans.o_ts))


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
    return _items(ws, period_end(resolve_as_of(ws, as_of)))


def _items(ws: Any, end: Any) -> Any:
    """:func:`items` up to ``end`` (a datetime or an Ibis timestamp value)."""
    import ibis

    r = roles(ws)
    a = acts_until(ws, end)
    ours_ids = r.filter(r.us).select(oid=r.identity_id)
    ours = a.filter(a.identity_id.isin(ours_ids.oid))
    mine = ours.select(m_id=ours.id)
    root = a.select(r_id=a.id, r_url=a.url, r_title=a.title)
    who = r.select(w_ident=r.identity_id, person_id=r.person_id, name=r.name, w_us=r.us, w_bot=r.bot)

    c = a.filter(a.kind.isin(ITEM_KINDS) & a.identity_id.notnull())
    c = c.filter(~_notice(c))
    c = c.join(who, c.identity_id == who.w_ident)
    c = c.filter(~c.w_us & ~c.w_bot)
    # addressed to us: semi-joins against our own acts (few), not lookups among all acts
    to_us = c.target_identity_id.isin(ours_ids.oid).fill_null(False)
    parent_ours = c.in_reply_to.isin(mine.m_id).fill_null(False)
    top_level = c.in_reply_to.isnull() | (c.in_reply_to == c.thread_id)
    root_ours = c.thread_id.isin(mine.m_id).fill_null(False) & top_level.fill_null(False)
    c = c.filter(to_us | parent_ours | root_ours)
    c = c.left_join(root, c.thread_id == root.r_id)
    it = c.select(
        "id", "channel", "kind", "ts", "identity_id", "person_id", "name", "thread_id", "text",
        url=ibis.coalesce(c.url, c.r_url), title=c.r_title,
    )

    first = first_answers(it, ours)

    # the person's first substantive act (newcomers' first item, R3)
    sp = r.select(s_ident=r.identity_id, s_person=r.person_id)
    s = a.filter(a.kind.isin(SUBSTANTIVE) & a.identity_id.notnull())
    s = s.join(sp, s.identity_id == sp.s_ident)
    firsts = s.group_by(f_person=s.s_person).aggregate(f_ts=s.ts.min(), f_id=s.id.argmin(s.ts))

    out = it.left_join(first, it.id == first.i_id)
    out = out.left_join(firsts, out.person_id == firsts.f_person)
    hours = (out.answered_at.epoch_seconds() - out.ts.epoch_seconds()) / 3600.0
    return out.select(
        "id", "channel", "kind", "ts", "identity_id", "person_id", "name", "url", "title", "text", "thread_id",
        "answered_at", "answer_id",
        hours=ibis.ifelse(hours < 0, 0.0, hours),
        first_of_person=(out.f_id == out.id).fill_null(False),
    )


# ------------------------------------------------------------------------------------------
# every item of the whole history, kept in the workspace (refreshed after each import)
#
# Computing the items of an as-of week scans all activities several times (seconds on a
# million acts). Nearly all of it does not depend on the week: an item's answer is the first
# of its candidate answers, so the answer "as of" a week is the item's first answer overall
# when it came before the week's end, else none; the person's first substantive act is the
# same for any week that holds one of their items. So :func:`refresh_items` stores, once per
# change of the data, each possible item with the time from which it counts (``vis``: its own
# time, or the later time of the act of ours that makes it addressed to us) and its first
# answer overall; a week's items are then a filter of that table. The table holds ids, times
# and flags only (no text): the inbox fetches the texts of the rows it shows. A fingerprint of
# the inputs (acts, identities, people) says whether the table still matches the data; when it
# does not (a change that ran no import hook), the week's items are computed from scratch.

ITEMS_TABLE = "reply_items"
THREADS_TABLE = "thread_starts"
#: the acts a conversation thread is made of (as lien.metrics.presence counts them)
CONVERSATION_KINDS = ("post", "comment", "reply", "message", "mention")
_META_KEY = "reply_items"
_FAR = datetime(9999, 1, 1)


#: bumped when what the stored tables hold changes (they are then recomputed)
_VERSION = "2"


def _fingerprint(ws: Any) -> str:
    """The inputs of the stored tables in brief: how many acts and their times (an insert or a
    delete changes them; the importer, which also rewrites changed acts, runs the hook anyway),
    and every identity's and person's fields the items read (a merge, a role, an org account).
    Taken once per :func:`~lien.metrics.sqlcache.shared` block (the data does not change in one)."""
    m = memo(ws)
    if m is not None and "_acts_fingerprint" in m:
        return str(m["_acts_fingerprint"])
    fp = str(ws.scalar("""
        SELECT (SELECT count(*) || ':' || coalesce(sum(epoch_us(ts)), 0) FROM activities) || '|'
            || (SELECT coalesce(bit_xor(hash(id, person_id, is_org, is_bot, display_name, key, channel)), 0)
                FROM identities) || '|'
            || (SELECT coalesce(bit_xor(hash(id, role, display_name)), 0) FROM people)"""))
    if m is not None:
        m["_acts_fingerprint"] = fp
    return fp


def _items_all(ws: Any) -> Any:
    """Every possible item of the whole history: ``id, channel, kind, ts, identity_id, person_id,
    thread_id, vis`` (from when it is an item), ``answered_at, answer_id`` (its first answer
    overall), ``first_of_person``."""
    import ibis

    far = ibis.literal(_FAR)
    r = roles(ws)
    a = ibis_backend(ws).table("activities")
    ours_ids = r.filter(r.us).select(oid=r.identity_id)
    ours = a.filter(a.identity_id.isin(ours_ids.oid))
    mine_p = ours.select(p_id=ours.id, p_ts=ours.ts)
    mine_r = ours.select(q_id=ours.id, q_ts=ours.ts)
    who = r.select(w_ident=r.identity_id, person_id=r.person_id, w_us=r.us, w_bot=r.bot)

    c = a.filter(a.kind.isin(ITEM_KINDS) & a.identity_id.notnull())
    c = c.filter(~_notice(c))
    c = c.join(who, c.identity_id == who.w_ident)
    c = c.filter(~c.w_us & ~c.w_bot)
    c = c.mutate(to_us=c.target_identity_id.isin(ours_ids.oid).fill_null(False),
                 top_level=(c.in_reply_to.isnull() | (c.in_reply_to == c.thread_id)).fill_null(False))
    c = c.left_join(mine_p, c.in_reply_to == mine_p.p_id)
    c = c.left_join(mine_r, c.thread_id == mine_r.q_id)
    # from when each condition holds: addressed to us at once; through our act once it exists
    t_us = ibis.ifelse(c.to_us, c.ts, far)
    t_parent = c.p_ts.fill_null(far)
    t_root = ibis.ifelse(c.top_level & c.q_id.notnull(), c.q_ts, far)
    cond = ibis.least(t_us, t_parent, t_root)
    c = c.filter(cond < far)
    it = c.select("id", "channel", "kind", "ts", "identity_id", "person_id", "thread_id",
                  vis=ibis.greatest(c.ts, cond))

    first = first_answers(it, ours)

    sp = r.select(s_ident=r.identity_id, s_person=r.person_id)
    s = a.filter(a.kind.isin(SUBSTANTIVE) & a.identity_id.notnull())
    s = s.join(sp, s.identity_id == sp.s_ident)
    firsts = s.group_by(f_person=s.s_person).aggregate(f_id=s.id.argmin(s.ts))

    out = it.left_join(first, it.id == first.i_id)
    out = out.left_join(firsts, out.person_id == firsts.f_person)
    return out.select("id", "channel", "kind", "ts", "identity_id", "person_id", "thread_id", "vis",
                      "answered_at", "answer_id", first_of_person=(out.f_id == out.id).fill_null(False))


def _thread_starts(ws: Any) -> Any:
    """When each conversation thread of a channel started: its earliest conversational act
    (kept with the items; :func:`lien.metrics.presence.channels` counts the threads that started
    in a quarter from it instead of grouping every act ever made)."""
    a = ibis_backend(ws).table("activities")
    c = a.filter(a.thread_id.notnull() & a.kind.isin(CONVERSATION_KINDS) & ~_notice(a))
    return c.group_by(t_channel=c.channel, t_thread=c.thread_id).aggregate(started=c.ts.min())


def refresh_items(ws: Any) -> bool:
    """Recompute :data:`ITEMS_TABLE` when the data changed since it was made (the import hook);
    True when it was recomputed."""
    fp = _fingerprint(ws)
    if items_fresh(ws, fp):
        return False
    from .sqlcache import compiled

    sql = compiled(ws, ("items.all",), lambda: _items_all(ws), {})[0]  # compiled once per process
    starts = compiled(ws, ("items.thread_starts",), lambda: _thread_starts(ws), {})[0]
    with ws.transaction():
        ws.con.execute(f'CREATE OR REPLACE TABLE "{ITEMS_TABLE}" AS {sql}').fetchall()
        ws.con.execute(f'CREATE OR REPLACE TABLE "{THREADS_TABLE}" AS {starts}').fetchall()
        ws.con.execute("DELETE FROM meta WHERE key = ?", [_META_KEY]).fetchall()
        ws.con.execute("INSERT INTO meta (key, value) VALUES (?, ?)", [_META_KEY, f"{_VERSION}#{fp}"]).fetchall()
    return True


def items_fresh(ws: Any, fp: str | None = None) -> bool:
    """Whether :data:`ITEMS_TABLE` matches the data as it is now."""
    stored = ws.scalar("SELECT value FROM meta WHERE key = ?", [_META_KEY])
    if stored is None or ws.scalar("SELECT count(*) FROM duckdb_tables() WHERE table_name IN (?, ?) "
                                   "AND schema_name = 'main' AND database_name = current_database()",
                                   [ITEMS_TABLE, THREADS_TABLE]) != 2:
        return False
    return stored == f"{_VERSION}#{fp or _fingerprint(ws)}"


def _items_of_week(ws: Any, end: Any) -> Any:
    """The items of :func:`_items` (without their texts) from :data:`ITEMS_TABLE`."""
    import ibis

    t = ibis_backend(ws).table(ITEMS_TABLE)
    t = t.filter(t.vis < end)
    answered = t.answered_at < end
    r = roles(ws).select("identity_id", "name")
    t = t.left_join(r, t.identity_id == r.identity_id)
    ans_at = ibis.ifelse(answered, t.answered_at, ibis.null("timestamp"))
    hours = (t.answered_at.epoch_seconds() - t.ts.epoch_seconds()) / 3600.0
    return t.select(
        "id", "channel", "kind", "ts", "identity_id", "person_id", "name", "thread_id",
        answered_at=ans_at, answer_id=ibis.ifelse(answered, t.answer_id, ibis.null("string")),
        hours=ibis.ifelse(answered, ibis.ifelse(hours < 0, 0.0, hours), ibis.null("float64")),
        first_of_person=t.first_of_person,
    )


def after_import(ws: Any) -> None:
    """The import hook: keep :data:`ITEMS_TABLE` in step with the data."""
    refresh_items(ws)


def register() -> None:
    from ..sources.load import AFTER_IMPORT

    if after_import not in AFTER_IMPORT:
        AFTER_IMPORT.append(after_import)


def materialize(ws: Any, name: str, expr: Any) -> Any:
    """Compute ``expr`` once into a temporary table (several aggregates then read it cheaply)."""
    import ibis

    b = ibis_backend(ws)
    b.raw_sql(f"CREATE OR REPLACE TEMP TABLE {name} AS {ibis.to_sql(expr)}").fetchall()
    return b.table(name)


def stored_fresh(ws: Any) -> bool:
    """:func:`items_fresh`, asked once per :func:`~lien.metrics.sqlcache.shared` block."""
    m = memo(ws)
    fresh = m.get("_items_fresh") if m is not None else None
    if fresh is None:
        fresh = items_fresh(ws)
        if m is not None:
            m["_items_fresh"] = fresh
    return fresh


def _week_items(ws: Any, name: str, week: date, m: dict[Any, Any] | None) -> Any:
    if stored_fresh(ws):
        return create_temp(ws, name, ("items.week",), lambda end: _items_of_week(ws, end), end=period_end(week))
    return create_temp(ws, name, ("items",), lambda end: _items(ws, end), end=period_end(week))


def items_table(ws: Any, week: date) -> Any:
    """:func:`items` computed once into a temporary table (once per as-of week inside a
    :func:`~lien.metrics.sqlcache.shared` block); from :data:`ITEMS_TABLE` when it is up to
    date (then without the ``url, title, text`` columns: see :func:`_texts`)."""
    m = memo(ws)
    if m is None:
        return _week_items(ws, "_lien_items", week, None)
    key = ("items", week)
    if key not in m:
        m[key] = _week_items(ws, f"_lien_items_{week:%Y%m%d}", week, m)
        m.setdefault("_tables", []).append(f"_lien_items_{week:%Y%m%d}")
    return m[key]


def _tkey(t: Any) -> tuple[Any, ...]:
    """What a compiled query over an items table depends on: its name and columns."""
    return (t.get_name(), tuple(t.columns))


def _texts(ws: Any, ids: list[str], end: datetime) -> dict[str, dict[str, Any]]:
    """``url, title, text`` of the given items as :func:`_items` makes them (the thread root's
    link and title count once the root exists at ``end``)."""
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    rows = ws.rows(f"""
        SELECT i.id, i.text, coalesce(i.url, CASE WHEN r.ts < ? THEN r.url END) AS url,
               CASE WHEN r.ts < ? THEN r.title END AS title
        FROM (SELECT id, text, url, thread_id FROM activities WHERE id IN ({marks})) i
        LEFT JOIN activities r ON r.id = i.thread_id""", [end, end, *ids])
    return {r["id"]: r for r in rows}


def _open_items(t: Any, channel: Any = None, since: Any = None) -> Any:
    u = t.filter(t.answered_at.isnull())
    if channel is not None:
        u = u.filter(u.channel == channel)
    if since is not None:
        u = u.filter(u.ts >= since)
    return u


def inbox(ws: Any, as_of: str | date | None = None, *, channel: str | None = None,
          since: str | date | None = None, limit: int | None = None) -> dict[str, Any]:
    """Items still needing our reply at the end of the as-of week, oldest first."""
    week = resolve_as_of(ws, as_of)
    end = period_end(week)
    with shared(ws):
        return _inbox(ws, week, end, channel, since, limit)


def _inbox(ws: Any, week: date, end: datetime, channel: str | None, since: str | date | None,
           limit: int | None) -> dict[str, Any]:
    all_items = items_table(ws, week)
    name = _tkey(all_items)
    params: dict[str, Any] = {}
    if channel:
        params["channel"] = channel
    if since:
        from .base import parse_date

        params["since"] = datetime.combine(parse_date(since, "--since"), datetime.min.time())
    shape = (name, "channel" in params, "since" in params)
    total = int(query(ws, ("inbox.total", *shape),
                      lambda **p: _open_items(all_items, **p).count().name("n"), **params)[0]["n"])

    def rows_of(**p: Any) -> Any:
        q = _open_items(all_items, **p).order_by(["ts", "id"])
        return q.limit(limit) if limit else q
    rows = query(ws, ("inbox.rows", *shape, limit or None), rows_of, **params)
    if rows and "text" not in rows[0]:
        texts = _texts(ws, [r["id"] for r in rows], end)
        rows = [{**r, **{k: texts.get(r["id"], {}).get(k) for k in ("url", "title", "text")}} for r in rows]
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
    with shared(ws):
        t0 = table if table is not None else items_table(ws, week)

        def build(lo: Any, hi: Any) -> Any:
            t = t0
            late = t.hours.isnull() | (t.hours > limit_h)
            t = t.filter((t.ts >= lo) & (t.ts <= hi) & late)
            g = t.group_by(["person_id", "name"]).aggregate(items=t.count(), oldest=t.ts.min(), latest=t.ts.max())
            return g.filter(g.items >= min_items).order_by([g.items.desc(), "oldest", "person_id"])
        rows = query(ws, ("unanswered", _tkey(t0), limit_h, min_items), build,
                     lo=end - timedelta(days=days), hi=end - timedelta(hours=limit_h))
    return [{"person_id": r["person_id"], "who": r["name"], "items": int(r["items"]),
             "oldest": r["oldest"], "latest": r["latest"]}
            for r in rows]


def _stats(t: Any, end: Any, target_h: float, limit_h: float, bounds: tuple[Any, Any] | None = None,
           active: Any = None) -> dict[str, Any]:
    """The aggregations of one group of items (used whole, per channel and per month); ``bounds``:
    the latest item times eligible for the target and the limit (default: from ``end``);
    ``active``: the declared active hours (:mod:`~lien.metrics.hours`) in which the median and
    p90 reply times are counted (None: clock hours)."""
    import ibis

    bt, bl = bounds or (end - timedelta(hours=target_h), end - timedelta(hours=limit_h))
    if active is not None:
        from .hours import active_hours

        r2 = ibis.ifelse(t.hours.isnull(), ibis.null("float64"), active_hours(t.ts, t.answered_at, active))
    else:
        r2 = t.hours
    el_t = t.ts <= bt
    el_l = t.ts <= bl
    ok_t = el_t & (t.hours <= target_h).fill_null(False)
    ok_l = el_l & (t.hours <= limit_h).fill_null(False)
    nf = t.first_of_person & el_l
    return dict(
        items=t.count(),
        answered=t.answered_at.notnull().sum(),
        eligible_target=el_t.sum(), within_target=ok_t.sum(),
        eligible_limit=el_l.sum(), within_limit=ok_l.sum(),
        median_hours=r2.median(), p90_hours=r2.quantile(0.9),
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
    with shared(ws):
        return _responsiveness(ws, week, end, target_h, limit_h, start, since, months, channel)


def _responsiveness(ws: Any, week: date, end: datetime, target_h: float, limit_h: float, start: datetime,
                    since: Any, months: int, channel: str | None) -> dict[str, Any]:
    from .hours import from_config

    t0 = items_table(ws, week)
    params: dict[str, Any] = {"bt": end - timedelta(hours=target_h), "bl": end - timedelta(hours=limit_h)}
    if channel:
        params["channel"] = channel
    active = from_config(ws.config.model["response"])
    shape = (_tkey(t0), bool(channel), target_h, limit_h, active.key if active else None)

    def base(channel: Any = None) -> Any:
        return t0.filter(t0.channel == channel) if channel is not None else t0

    def whole_q(bt: Any, bl: Any, start: Any, channel: Any = None) -> Any:
        t = base(channel)
        p = t.filter(t.ts >= start)
        return p.aggregate(**_stats(p, None, target_h, limit_h, (bt, bl), active))

    def per_ch_q(bt: Any, bl: Any, start: Any, channel: Any = None) -> Any:
        t = base(channel)
        p = t.filter(t.ts >= start)
        return p.group_by("channel").aggregate(**_stats(p, None, target_h, limit_h, (bt, bl), active)).order_by("channel")

    def per_month_q(bt: Any, bl: Any, m_start: Any, channel: Any = None) -> Any:
        t = base(channel)
        pm = t.filter(t.ts >= m_start)
        pm = pm.mutate(month=pm.ts.truncate("M"))
        return pm.group_by("month").aggregate(**_stats(pm, None, target_h, limit_h, (bt, bl), active)).order_by("month")

    whole = _finish(query(ws, ("resp.whole", *shape), whole_q, start=start, **params)[0])
    per_ch = [{"channel": r.pop("channel"), **_finish(r)}
              for r in query(ws, ("resp.channels", *shape), per_ch_q, start=start, **params)]
    if since:
        m_start = start
    else:
        y, m = week.year, week.month - (months - 1)
        while m <= 0:
            y, m = y - 1, m + 12
        m_start = datetime(y, m, 1)
    per_month = []
    for r in query(ws, ("resp.months", *shape), per_month_q, m_start=m_start, **params):
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
    target_h = float(ws.config.model["response"]["target_hours"])
    with shared(ws) as m:
        if ("items", week) not in m and stored_fresh(ws):
            # one person's items, read from the stored table (the filter reaches its scan), not
            # the whole week's items made into a temporary table first; built only to compile
            def source(end: Any) -> Any:
                return _items_of_week(ws, end)
            tkey: tuple[Any, ...] = ("items.week.expr",)
        else:
            table = items_table(ws, week)

            def source(end: Any) -> Any:
                return table
            tkey = _tkey(table)

        def parts(person: Any, lo: Any, end: Any, bt: Any, bl: Any) -> dict[str, Any]:
            import ibis

            t0 = source(end)
            t = t0.filter((t0.person_id == person) & (t0.ts >= lo))
            # exchanges between us and the person: their items and our acts addressed to them
            r = roles(ws)
            a = acts_until(ws, end)
            mine = r.filter(r.person_id == person).select(m=r.identity_id)
            ours = r.filter(r.us).select(u=r.identity_id)
            ex = a.filter(a.kind.isin(SUBSTANTIVE) & (a.ts >= lo))
            theirs = t.select(ts=t.ts.cast("timestamp(6)"), channel=t.channel.cast("string"),
                              initiator=ibis.literal("person"))
            to_them = ex.filter(ex.identity_id.isin(ours.u) & ex.target_identity_id.isin(mine.m)).select(
                ts=ex.ts.cast("timestamp(6)"), channel=ex.channel.cast("string"), initiator=ibis.literal("us"))
            both = theirs.union(to_them)
            # the last five exchanges and each channel's last one, in one pass over the exchanges
            newest = ibis.window(order_by=[both.ts.desc(), both.initiator, both.channel])
            per_channel = ibis.window(group_by=both.channel, order_by=[both.ts.desc(), both.initiator])
            b = both.mutate(rank=ibis.row_number().over(newest), in_channel=ibis.row_number().over(per_channel))
            return {"stats": t.aggregate(**_stats(t, None, target_h, limit_h, (bt, bl), active),
                                         two_way=t.answered_at.max()),
                    "exchanges": b.filter((b.rank < 5) | (b.in_channel == 0)).order_by("rank")}

        params = dict(person=person_id, lo=end - timedelta(days=days), end=end,
                      bt=end - timedelta(hours=target_h), bl=end - timedelta(hours=limit_h))
        from .hours import from_config

        active = from_config(ws.config.model["response"])

        def run(part: str) -> list[dict[str, Any]]:
            return query(ws, ("dialogue", part, tkey, target_h, limit_h, active.key if active else None),
                         lambda **p: parts(**p)[part], **params)
        st = run("stats")[0]
        two_way = st.pop("two_way")
        st = _finish(st)
        exchanges = run("exchanges")
        last5 = [x for x in exchanges if x["rank"] < 5]
        chans = sorted({x["channel"] for x in exchanges})
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

register()
