"""Channel vitality: our presence, dialogue, conversation depth and trend (MODEL.md §8 P1, D1, D2).

Definitions, per channel, over the 13 weeks ending with the as-of week (the "quarter"):

* **Publication** of ours: a ``post`` or ``share`` by one of our identities, or an event of the
  channel starting that week (holding a meetup is being present).
* **Presence** (P1): weeks with ≥ 1 publication, out of 13; **longest silence**: the longest gap in
  days between consecutive publications inside the window, its edges included (no publication at
  all: the 91 days); **silent for**: days from our last publication (any time) to the end.
* **Dialogue ratio** (D1): our ``comment``/``reply``/``message`` acts / our ``post`` acts.
* **Conversation depth** (D2): among the threads that started in the window (a thread starts with
  its earliest act), the share with ≥ 1 ``comment``/``reply`` by a community member *and* ≥ 1 act
  answering something other than the thread's root (a reply to a reply).
* **Trend**: community substantive acts (and our publications) in this quarter against the 13
  weeks before. A channel is **going quiet** when we have published nothing for more than 14 days
  although we did in the previous quarter, or when community activity fell by half or more
  (from at least 4 acts).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from .. import i18n
from .base import ibis_backend, resolve_as_of
from .sqlcache import query
from .responsiveness import SUBSTANTIVE, _notice, period_end, roles

PUBLICATION_KINDS = ("post", "share")
DIALOGUE_KINDS = ("comment", "reply", "message")
CONVERSATION_KINDS = ("post", "comment", "reply", "message", "mention")
WEEKS = 13
QUIET_DAYS = 14


def _pct(n: Any, d: Any) -> float | None:
    return round(100.0 * float(n) / float(d), 1) if d else None


def channels(ws: Any, as_of: str | date | None = None, *, channel: str | None = None,
             all_channels: bool = False) -> dict[str, Any]:
    """Per channel: presence, longest silence, dialogue ratio, depth, trend, and a quiet flag."""
    import ibis

    week = resolve_as_of(ws, as_of)
    end = period_end(week)
    start = end - timedelta(weeks=WEEKS)
    prev = start - timedelta(weeks=WEEKS)

    from .responsiveness import THREADS_TABLE, stored_fresh

    fast = stored_fresh(ws)

    def build(end: Any, start: Any, prev: Any, since: Any, channel: Any = None) -> Any:
        b = ibis_backend(ws)
        a = b.table("activities")
        a = a.filter(a.ts < end)
        if channel is not None:
            a = a.filter(a.channel == channel)
        r = roles(ws)
        who = r.select(w_ident=r.identity_id, w_us=r.us, w_bot=r.bot)

        def with_roles(t: Any) -> Any:
            t = t.left_join(who, t.identity_id == who.w_ident)
            t = t.mutate(us=t.w_us.fill_null(False), bot=t.w_bot.fill_null(False))
            return t.mutate(community=~t.us & ~t.bot & t.identity_id.notnull())

        # each part reads only the acts it needs (one table of every act with its roles would be
        # computed whole before any part filters it)
        base = a
        recent = with_roles(base.filter(base.ts >= prev))

        ev = b.table("events")
        ev = ev.filter(ev.starts_at.notnull() & (ev.starts_at < end))
        if channel is not None:
            ev = ev.filter(ev.channel == channel)

        mine = with_roles(base.filter(base.kind.isin(PUBLICATION_KINDS)))
        mine = mine.filter(mine.us)
        pubs = mine.select(channel=mine.channel.cast("!string"), ts=mine.ts.cast("!timestamp(6)")).union(
            ev.select(channel=ev.channel.cast("!string"), ts=ev.starts_at.cast("!timestamp(6)")))
        secs = float(7 * 86400)

        def epoch(ts: Any) -> Any:  # seconds, fractional: typed as a float (an integer type fails on sub-second data)
            return ts.epoch_seconds().cast("float64")

        win = pubs.filter(pubs.ts >= start)
        win = win.mutate(wk=((epoch(win.ts) - epoch(start)) / secs).floor())
        w = ibis.window(group_by="channel", order_by="ts")
        gaps = win.mutate(prev_ts=win.ts.lag().over(w))
        gaps = gaps.mutate(gap=epoch(gaps.ts) - epoch(ibis.coalesce(gaps.prev_ts, start)))
        presence = gaps.group_by("channel").aggregate(
            weeks=gaps.wk.nunique(), inner_gap=gaps.gap.max(), last_in=gaps.ts.max(), pubs_q=gaps.count())
        last_pub = pubs.group_by("channel").aggregate(last_pub=pubs.ts.max(),
                                                      pubs_prev=((pubs.ts >= prev) & (pubs.ts < start)).sum())

        q = recent.filter(recent.ts >= start)
        p = recent.filter(recent.ts < start)
        dialogue = q.group_by("channel").aggregate(
            org_posts=(q.us & (q.kind == "post")).sum(),
            org_replies=(q.us & q.kind.isin(DIALOGUE_KINDS) & ~_notice(q)).sum(),
            community_acts=(q.community & q.kind.isin(SUBSTANTIVE) & ~_notice(q)).sum(),
            people=q.identity_id.nunique(where=q.community & q.kind.isin(SUBSTANTIVE) & ~_notice(q)),
        )
        before = p.group_by("channel").aggregate(community_prev=(p.community & p.kind.isin(SUBSTANTIVE) & ~_notice(p)).sum())

        # a thread started in the window has all its acts in it: with the stored thread starts,
        # group the window's acts only
        c = q if fast else with_roles(base)
        c = c.filter(c.thread_id.notnull() & c.kind.isin(CONVERSATION_KINDS) & ~_notice(c))
        th = c.group_by(["channel", "thread_id"]).aggregate(
            started=c.ts.min(),
            member_reply=(c.community & c.kind.isin(("comment", "reply"))).sum(),
            nested=(c.in_reply_to.notnull() & (c.in_reply_to != c.thread_id)).sum(),
        )
        if fast:
            ts = b.table(THREADS_TABLE)
            ts = ts.filter(ts.started >= start)
            th = th.semi_join(ts, (th.channel == ts.t_channel) & (th.thread_id == ts.t_thread))
        else:
            th = th.filter(th.started >= start)
        depth = th.group_by("channel").aggregate(threads=th.count(),
                                                 deep=((th.member_reply > 0) & (th.nested > 0)).sum())

        ka, ke = base.filter(base.ts >= since), ev.filter(ev.starts_at >= since)
        known = ka.select(channel=ka.channel.cast("!string")).union(
            ke.select(channel=ke.channel.cast("!string")), distinct=True)
        out = known
        for t in (presence, last_pub, dialogue, before, depth):
            out = out.left_join(t, "channel")
            if "channel_right" in out.columns:
                out = out.drop("channel_right")
        return out.order_by("channel")

    params: dict[str, Any] = dict(end=end, start=start, prev=prev,
                                  since=prev if not all_channels else datetime(1, 1, 1))
    if channel:
        params["channel"] = channel
    rows = query(ws, ("channels", bool(channel), fast), build, **params)
    result = []
    for x in rows:
        weeks = int(x["weeks"] or 0)
        last_pub = x["last_pub"]
        inner = x["inner_gap"]
        tail = (end - x["last_in"]).total_seconds() if x["last_in"] else None
        longest = max(inner or 0.0, tail or 0.0) / 86400 if x["last_in"] else WEEKS * 7.0
        silent = round((end - last_pub).total_seconds() / 86400, 1) if last_pub else None
        com, com_prev = int(x["community_acts"] or 0), int(x["community_prev"] or 0)
        org_posts, org_replies = int(x["org_posts"] or 0), int(x["org_replies"] or 0)
        flags = []
        if (silent is None or silent > QUIET_DAYS) and int(x["pubs_prev"] or 0) > 0:
            flags.append("silent")
        if com_prev >= 4 and com <= com_prev / 2:
            flags.append("falling")
        result.append({
            "channel": x["channel"],
            "presence_weeks": weeks, "weeks": WEEKS,
            "publications": int(x["pubs_q"] or 0), "publications_prev": int(x["pubs_prev"] or 0),
            "longest_silence_days": round(longest, 1), "silent_for_days": silent,
            "org_posts": org_posts, "org_replies": org_replies,
            "dialogue_ratio": round(org_replies / org_posts, 2) if org_posts else None,
            "threads": int(x["threads"] or 0), "deep_threads": int(x["deep"] or 0),
            "depth_pct": _pct(x["deep"] or 0, x["threads"] or 0),
            "community_acts": com, "community_acts_prev": com_prev, "people": int(x["people"] or 0),
            "trend_pct": round(100.0 * (com - com_prev) / com_prev, 1) if com_prev else None,
            "quiet": bool(flags), "flags": flags,
        })
    return {"as_of": week, "since": start.date(), "channels": result}


def overall(ws: Any, as_of: str | date | None = None, *, channel: str | None = None) -> dict[str, Any]:
    """P1 for the whole organisation (or one channel): weeks with a publication of ours on any
    channel, out of 13, and the longest silence; D1 and D2 summed over channels."""
    data = channels(ws, as_of, channel=channel, all_channels=True)
    week = data["as_of"]
    end = period_end(week)
    start = end - timedelta(weeks=WEEKS)

    def build(start: Any, end: Any, channel: Any = None) -> Any:
        b = ibis_backend(ws)
        a = b.table("activities")
        r = roles(ws)
        ours = r.filter(r.us).select(oid=r.identity_id)
        mine = a.filter((a.ts >= start) & (a.ts < end) & a.kind.isin(PUBLICATION_KINDS) & a.identity_id.isin(ours.oid))
        ev = b.table("events")
        ev = ev.filter((ev.starts_at >= start) & (ev.starts_at < end))
        if channel is not None:
            mine, ev = mine.filter(mine.channel == channel), ev.filter(ev.channel == channel)
        return mine.select(ts=mine.ts.cast("!timestamp(6)")).union(ev.select(ts=ev.starts_at.cast("!timestamp(6)")))

    params: dict[str, Any] = {"start": start, "end": end}
    if channel:
        params["channel"] = channel
    ts = sorted(x["ts"] for x in query(ws, ("presence.overall", bool(channel)), build, **params))
    weeks = {int((t - start).total_seconds() // (7 * 86400)) for t in ts}
    edges = [start, *ts, end]
    longest = max((y - x).total_seconds() for x, y in zip(edges, edges[1:])) / 86400
    chans = data["channels"]
    posts = sum(c["org_posts"] for c in chans)
    replies = sum(c["org_replies"] for c in chans)
    threads = sum(c["threads"] for c in chans)
    deep = sum(c["deep_threads"] for c in chans)
    return {"as_of": week, "presence_weeks": len(weeks), "weeks": WEEKS, "publications": len(ts),
            "longest_silence_days": round(longest, 1), "org_posts": posts, "org_replies": replies,
            "dialogue_ratio": round(replies / posts, 2) if posts else None,
            "threads": threads, "deep_threads": deep, "depth_pct": _pct(deep, threads)}


i18n.register({
    "pres.title": {"en": "Channels over the 13 weeks from {since} to the week ending {week}",
                   "fr": "Canaux sur les 13 semaines du {since} à la semaine finissant le {week}"},
    "pres.col.presence": {"en": "presence", "fr": "présence"},
    "pres.col.silence": {"en": "longest silence (d)", "fr": "plus long silence (j)"},
    "pres.col.silent_for": {"en": "silent for (d)", "fr": "silence depuis (j)"},
    "pres.col.dialogue": {"en": "dialogue", "fr": "dialogue"},
    "pres.col.depth": {"en": "depth", "fr": "profondeur"},
    "pres.col.acts": {"en": "community acts", "fr": "actes communauté"},
    "pres.col.trend": {"en": "trend", "fr": "tendance"},
    "pres.col.flag": {"en": "flag", "fr": "alerte"},
    "pres.flag.silent": {"en": "going quiet: nothing from us for {d} days",
                         "fr": "s'éteint : rien de notre part depuis {d} jours"},
    "pres.flag.silent_never": {"en": "going quiet: nothing from us this quarter",
                               "fr": "s'éteint : rien de notre part ce trimestre"},
    "pres.flag.falling": {"en": "community activity halved ({prev} → {now})",
                          "fr": "activité de la communauté divisée par deux ({prev} → {now})"},
    "pres.none": {"en": "No channel had any activity in the last two quarters (--all lists every channel).",
                  "fr": "Aucun canal n'a eu d'activité ces deux derniers trimestres (--all les liste tous)."},
})
