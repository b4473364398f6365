"""Events: RSVPs, check-ins, show-up, first-timers and their return, conversion both ways
(MODEL.md §8 E1–E4).

Definitions (community people only: our identities, staff and bots are left out; a person is
``identities.person_id``, so merged accounts count once):

* **RSVPs**: distinct people per answer (``rsvp_yes``, ``rsvp_no``, ``rsvp_maybe``, ``waitlist``).
* **Check-in**: an ``attend``, ``volunteer``, ``speak`` or ``host`` act on the event.
* **Show-up rate** (E1) = check-ins / yes-RSVPs, only for events whose attendance was recorded
  (at least one ``attend`` or ``no_show`` act): without a check-in list it is unknown, not zero.
* **First-timer**: a person whose first check-in ever (by event start) is this event.
  **Return** (E2): they check in at one of the next 2 events of the same channel; undecided
  ("pending") until 2 later events of the channel have started.
* **Online→offline conversion** (E3), per quarter: community people with a substantive online
  act (post, comment, reply, message, mention) in the quarter who checked in at an event of
  that quarter / those online participants.
* **Offline→online activation** (E4), per quarter: people who checked in at an event of the
  quarter and made a substantive online act within 4 weeks after it / those attendees (only
  check-ins whose 4 weeks are over by the as-of week count).

Events are those that started before the end of the as-of week; quarters are calendar quarters.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from .. import i18n
from .base import ibis_backend, resolve_as_of
from .sqlcache import query
from .responsiveness import SUBSTANTIVE, _notice, period_end, roles

CHECKIN = ("attend", "volunteer", "speak", "host")
RSVP = {"rsvp_yes": "yes", "rsvp_no": "no", "rsvp_maybe": "maybe", "waitlist": "waitlist"}
ACTIVATION_DAYS = 28
RETURN_WITHIN = 2


def _pct(n: Any, d: Any) -> float | None:
    return round(100.0 * float(n) / float(d), 1) if d else None


def _base(ws: Any, end: Any) -> tuple[Any, Any, Any]:
    """Community acts with their person, the events held, and check-ins (one per person and event)."""
    import ibis

    b = ibis_backend(ws)
    r = roles(ws)
    a = b.table("activities")
    a = a.filter(a.ts < end)
    a = a.join(r, a.identity_id == r.identity_id)
    a = a.filter(~a.us & ~a.bot)
    ev = b.table("events")
    ev = ev.filter(ev.starts_at.notnull() & (ev.starts_at < end))
    w = ibis.window(group_by=ev.channel, order_by=[ev.starts_at, ev.id])
    ev = ev.select(event_id=ev.id, event_channel=ev.channel, name=ev.name, starts_at=ev.starts_at,
                   rank=ibis.row_number().over(w))
    ci = a.filter(a.kind.isin(CHECKIN))
    ci = ci.join(ev, ci.thread_id == ev.event_id)
    ci = ci.group_by(["person_id", "event_id", "event_channel", "starts_at", "rank"]).aggregate()
    return a, ev, ci


def events(ws: Any, as_of: str | date | None = None, *, channel: str | None = None,
           limit: int | None = None) -> dict[str, Any]:
    """Per event (latest first) and per quarter: RSVPs, check-ins, E1, first-timers, E2, E3, E4."""
    import ibis

    week = resolve_as_of(ws, as_of)
    end = period_end(week)
    params: dict[str, Any] = {"end": end, "done": end - timedelta(days=ACTIVATION_DAYS)}
    if channel:
        params["channel"] = channel

    fast = _fresh(ws)
    e_tbl = None
    if fast:  # the per-event table once, then its total, rows and quarters read it
        from .sqlcache import create_temp

        e_tbl = create_temp(ws, "_lien_events_e", ("events.e", bool(channel)),
                            lambda **p: _parts(ws, fast=True, **p)["e"], **params)

    def run(part: str, **key: Any) -> list[dict[str, Any]]:
        if e_tbl is not None and part in ("total", "events", "events_limit", "per_q"):
            q = e_tbl.order_by([e_tbl.starts_at.desc(), e_tbl.event_id])
            expr = {"total": lambda: e_tbl.count().name("n"), "events": lambda: q,
                    "events_limit": lambda: q.limit(limit) if limit else q,
                    "per_q": lambda: _per_quarter(e_tbl)}[part]()
            return query(ws, ("events.fast", part, *key.items()), lambda: expr)
        return query(ws, ("events", part, bool(channel), fast, *key.items()),
                     lambda **p: _parts(ws, limit=limit, fast=fast, **p)[part], **params)

    total = int(run("total")[0]["n"])
    per_event = []
    for x in (run("events_limit", limit=limit) if limit else run("events")):
        pending = x["max_rank"] - x["rank"] < RETURN_WITHIN
        yes, ci_n, ftn, ret = (int(x[k] or 0) for k in ("yes", "checkins", "first_timers", "returned"))
        per_event.append({
            "event_id": x["event_id"], "channel": x["event_channel"], "name": x["name"], "starts_at": x["starts_at"],
            **{k: int(x[k] or 0) for k in RSVP.values()}, "checkins": ci_n,
            "attendance_recorded": bool(x["recorded"]),
            "show_up_pct": _pct(ci_n, yes) if x["recorded"] else None,
            "first_timers": ftn, "returned": None if pending else ret,
            "return_pct": None if pending else _pct(ret, ftn), "return_pending": bool(pending and ftn),
        })
    quarters = _quarters(run("per_q"), run("e3"), run("e4"))
    if e_tbl is not None:
        ws.con.execute('DROP TABLE IF EXISTS "_lien_events_e"').fetchall()
    return {"as_of": week, "total_events": total, "events": per_event, "quarters": quarters}


# ------------------------------------------------------------------------------------------
# what the acts say about events, kept in the workspace (refreshed after each import)
#
# Every figure above reads the community's acts up to the as-of week: a scan of all activities
# (seconds on a million acts) for a few thousand facts. These facts do not depend on the week
# except through their own times, so :func:`refresh_facts` stores them once per change of the
# data, each with the time from which it holds, and a week keeps those that hold before its end:
#
# * ``event_person_acts``: per event thread, person and kind, the person's first such act;
# * ``event_checkins``: per person and event (started), the first check-in act, and the person's
#   first substantive online act after the event's start (the next act of E4: the next act
#   before the week's end is that one when it came before the end, else none);
# * ``online_quarters``: per person and quarter, the first substantive online act (E3).
#
# The same fingerprint as the reply items (acts, identities, people), plus the events, says
# whether the tables still match the data; when they do not, the figures are computed from the acts.

_CHECKIN = "*checkin"
FACT_TABLES = ("event_person_acts", "event_checkins", "online_quarters")
_META_KEY = "event_facts"


def _quarter_of(ts: Any) -> Any:
    return ts.year().cast("string") + "-Q" + ts.quarter().cast("string")


#: bumped when what the stored tables hold changes (they are then recomputed)
_VERSION = "2"


def _fingerprint(ws: Any) -> str:
    from .responsiveness import _fingerprint as acts_fp

    ev = ws.scalar("SELECT count(*) || ':' || coalesce(bit_xor(hash(id, channel, starts_at)), 0) FROM events")
    return f"{acts_fp(ws)}|{ev}"


def _fact_exprs(ws: Any) -> dict[str, Any]:
    import ibis

    b = ibis_backend(ws)
    r = roles(ws)
    a = b.table("activities")
    a = a.join(r, a.identity_id == r.identity_id)
    a = a.filter(~a.us & ~a.bot)
    on_ev = a.filter(a.thread_id.notnull() & a.kind.isin((*RSVP, *CHECKIN, "no_show")))
    epa = on_ev.group_by(c_event=on_ev.thread_id, person_id=on_ev.person_id, kind=on_ev.kind).aggregate(
        first_ts=on_ev.ts.min())
    # and one row per person and event for any check-in kind (counted without a distinct)
    chk = epa.filter(epa.kind.isin(CHECKIN))
    epa = epa.union(chk.group_by("c_event", "person_id").aggregate(kind=ibis.literal(_CHECKIN),
                                                                    first_ts=chk.first_ts.min())
                    .select("c_event", "person_id", "kind", "first_ts"))
    ev = b.table("events")
    ev = ev.filter(ev.starts_at.notnull()).select(e_id=ev.id, e_start=ev.starts_at)
    ci = a.filter(a.kind.isin(CHECKIN))
    ci = ci.join(ev, ci.thread_id == ev.e_id)
    ci = ci.group_by(person_id=ci.person_id, event_id=ci.e_id, starts_at=ci.e_start).aggregate(ci_ts=ci.ts.min())
    on = a.filter(a.kind.isin(SUBSTANTIVE) & ~_notice(a))
    # each check-in's next online act, one ordered stream per person (as in _quarter_exprs)
    stream = ci.select(s_person=ci.person_id, s_ts=ci.starts_at.cast("timestamp(6)"), s_ci=ibis.literal(1),
                       s_event=ci.event_id, a_ts=ibis.null("timestamp(6)")).union(
        on.select(s_person=on.person_id, s_ts=on.ts.cast("timestamp(6)"), s_ci=ibis.literal(0),
                  s_event=ibis.null("string"), a_ts=on.ts.cast("timestamp(6)")))
    after = ibis.window(group_by=stream.s_person, order_by=[stream.s_ts, stream.s_ci], rows=(1, None))
    nxt = stream.mutate(next_ts=stream.a_ts.min().over(after))
    nxt = nxt.filter(nxt.s_ci == 1).select(n_person=nxt.s_person, n_event=nxt.s_event, next_ts=nxt.next_ts)
    nxt = nxt.group_by("n_person", "n_event").aggregate(next_ts=nxt.next_ts.min())
    ci = ci.left_join(nxt, (ci.person_id == nxt.n_person) & (ci.event_id == nxt.n_event))
    by_start = ibis.window(group_by=ci.person_id, order_by=[ci.starts_at, ci.event_id])
    ci = ci.select("person_id", "event_id", "starts_at", "ci_ts", "next_ts", pnum=ibis.row_number().over(by_start))
    onq = on.group_by(person_id=on.person_id, q=_quarter_of(on.ts)).aggregate(first_ts=on.ts.min())
    return {"event_person_acts": epa, "event_checkins": ci, "online_quarters": onq}


def facts_fresh(ws: Any, fp: str | None = None) -> bool:
    stored = ws.scalar("SELECT value FROM meta WHERE key = ?", [_META_KEY])
    if stored is None:
        return False
    have = ws.scalar("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND database_name = "
                     f"current_database() AND table_name IN ({', '.join('?' for _ in FACT_TABLES)})", list(FACT_TABLES))
    return have == len(FACT_TABLES) and stored == f"{_VERSION}#{fp or _fingerprint(ws)}"


def refresh_facts(ws: Any) -> bool:
    """Recompute :data:`FACT_TABLES` when the data changed since they were made (the import hook)."""
    fp = _fingerprint(ws)
    if facts_fresh(ws, fp):
        return False
    from .sqlcache import compiled

    with ws.transaction():
        for name in FACT_TABLES:  # compiled once per process
            sql = compiled(ws, ("events.facts", name), lambda: _fact_exprs(ws)[name], {})[0]
            ws.con.execute(f'CREATE OR REPLACE TABLE "{name}" AS {sql}').fetchall()
        ws.con.execute("DELETE FROM meta WHERE key = ?", [_META_KEY]).fetchall()
        ws.con.execute("INSERT INTO meta (key, value) VALUES (?, ?)", [_META_KEY, f"{_VERSION}#{fp}"]).fetchall()
    return True


def after_import(ws: Any) -> None:
    refresh_facts(ws)


def register() -> None:
    from ..sources.load import AFTER_IMPORT

    if after_import not in AFTER_IMPORT:
        AFTER_IMPORT.append(after_import)


def _fresh(ws: Any) -> bool:
    from .sqlcache import memo

    m = memo(ws)
    if m is not None and "_event_facts" in m:
        return m["_event_facts"]
    v = facts_fresh(ws)
    if m is not None:
        m["_event_facts"] = v
    return v


def _events_held(ws: Any, end: Any) -> Any:
    import ibis

    ev = ibis_backend(ws).table("events")
    ev = ev.filter(ev.starts_at.notnull() & (ev.starts_at < end))
    w = ibis.window(group_by=ev.channel, order_by=[ev.starts_at, ev.id])
    return ev.select(event_id=ev.id, event_channel=ev.channel, name=ev.name, starts_at=ev.starts_at,
                     rank=ibis.row_number().over(w))


def _parts(ws: Any, end: Any, done: Any, channel: Any = None, limit: int | None = None,
           fast: bool = False) -> dict[str, Any]:
    """The expressions of :func:`events` (built lazily by name would be no faster: Ibis builds are cheap,
    their compilation is what :mod:`~lien.metrics.sqlcache` saves); ``fast``: from :data:`FACT_TABLES`."""
    if fast:
        b = ibis_backend(ws)
        ev = _events_held(ws, end)
        epa = b.table("event_person_acts")
        epa = epa.filter(epa.first_ts < end)
        counts = epa.group_by("c_event").aggregate(  # one row per event, person and kind: no distinct
            **{ans: epa.count(where=epa.kind == k) for k, ans in RSVP.items()},
            checkins=epa.count(where=epa.kind == _CHECKIN),
            recorded=epa.kind.isin(("attend", "no_show")).any(),
        )
        cf = b.table("event_checkins")
        cf = cf.filter(cf.ci_ts < end)
        cf = cf.join(ev, cf.event_id == ev.event_id)
        ci = cf.select("person_id", "event_id", "event_channel", "starts_at", "rank", "next_ts", "pnum")
        a = None
    else:
        a, ev, ci = _base(ws, end)
    if channel is not None:
        ev = ev.filter(ev.event_channel == channel)

    if not fast:
        # per event counts
        on_ev = a.filter(a.thread_id.notnull() & a.kind.isin((*RSVP, *CHECKIN, "no_show")))
        counts = on_ev.group_by(c_event=on_ev.thread_id).aggregate(
            **{ans: on_ev.person_id.nunique(where=on_ev.kind == k) for k, ans in RSVP.items()},
            checkins=on_ev.person_id.nunique(where=on_ev.kind.isin(CHECKIN)),
            recorded=on_ev.kind.isin(("attend", "no_show")).any(),
        )
    # first-timers and their return within the next events of the channel
    # the earliest check-in; events starting at the same time: the smallest id (argmin would pick either)
    import ibis

    if fast:  # the stored order of each person's check-ins: the first is the smallest number left
        first = ci.group_by(f_person=ci.person_id).aggregate(f_num=ci.pnum.min())
        ft = ci.join(first, (ci.person_id == first.f_person) & (ci.pnum == first.f_num))
        ft = ft.select("person_id", "event_id", "event_channel", "starts_at", "rank")
    else:
        by_start = ibis.window(group_by=ci.person_id, order_by=[ci.starts_at, ci.event_id])
        ft = ci.mutate(nth=ibis.row_number().over(by_start))
        ft = ft.filter(ft.nth == 0).drop("nth")
    later = ci.select(l_person=ci.person_id, l_channel=ci.event_channel, l_rank=ci.rank)
    back = ft.join(later, (ft.person_id == later.l_person) & (ft.event_channel == later.l_channel)
                   & (later.l_rank > ft.rank) & (later.l_rank <= ft.rank + RETURN_WITHIN))
    back = back.group_by(b_person=back.person_id, b_event=back.event_id).aggregate()
    ft = ft.left_join(back, (ft.person_id == back.b_person) & (ft.event_id == back.b_event))
    ft_ev = ft.group_by(t_event=ft.event_id).aggregate(first_timers=ft.count(),
                                                        returned=ft.b_person.notnull().sum())
    last_rank = ev.group_by(r_channel=ev.event_channel).aggregate(max_rank=ev.rank.max())

    e = ev.left_join(counts, ev.event_id == counts.c_event).left_join(ft_ev, ev.event_id == ft_ev.t_event)
    e = e.left_join(last_rank, e.event_channel == last_rank.r_channel)
    e = e.select("event_id", "event_channel", "name", "starts_at", "rank", "max_rank", *RSVP.values(),
                 "checkins", "recorded", "first_timers", "returned")
    q = e.order_by([e.starts_at.desc(), e.event_id])
    per_q, e3, e4 = _quarter_exprs(a, ci, e, done, (ws, end) if fast else None)
    return {"total": e.count().name("n"), "events": q, "events_limit": q.limit(limit) if limit else q,
            "per_q": per_q, "e3": e3, "e4": e4, "e": e}


def _per_quarter(e: Any) -> Any:
    eq = e.mutate(q=_quarter_of(e.starts_at), decided=(e.max_rank - e.rank) >= RETURN_WITHIN)
    return eq.group_by("q").aggregate(
        events=eq.count(),
        yes=eq.yes.fill_null(0).sum(),
        checkins=eq.checkins.fill_null(0).sum(),
        rec_yes=eq.yes.fill_null(0).sum(where=eq.recorded.fill_null(False)),
        rec_checkins=eq.checkins.fill_null(0).sum(where=eq.recorded.fill_null(False)),
        first_timers=eq.first_timers.fill_null(0).sum(),
        ft_decided=eq.first_timers.fill_null(0).sum(where=eq.decided),
        returned=eq.returned.fill_null(0).sum(where=eq.decided),
    )


def _quarter_exprs(a: Any, ci: Any, e: Any, done_before: Any, fast: tuple[Any, Any] | None = None) -> tuple[Any, Any, Any]:
    import ibis

    quarter = _quarter_of

    per_q = _per_quarter(e) if e is not None else None
    # E3: online participants of the quarter who checked in at an event of the quarter
    if fast:
        ws, end = fast
        oq = ibis_backend(ws).table("online_quarters")
        oq = oq.filter(oq.first_ts < end)
        on_q = oq.select(o_person=oq.person_id, oq=oq.q)
    else:
        on = a.filter(a.kind.isin(SUBSTANTIVE) & ~_notice(a))
        on_q = on.group_by(o_person=on.person_id, oq=quarter(on.ts)).aggregate()
    ci_q = ci.group_by(c_person=ci.person_id, cq=quarter(ci.starts_at)).aggregate()
    conv = on_q.left_join(ci_q, (on_q.o_person == ci_q.c_person) & (on_q.oq == ci_q.cq))
    e3 = conv.group_by(q=conv.oq).aggregate(online=conv.count(), converted=conv.c_person.notnull().sum())
    # E4: attendees of the quarter active online within 4 weeks after a check-in
    done = ci.filter(ci.starts_at <= done_before)
    if fast:
        hit = done.filter((done.next_ts < fast[1])
                          & (done.next_ts <= done.starts_at.cast("timestamp(6)") + ibis.interval(days=ACTIVATION_DAYS)))
        hit = hit.group_by(h_person=hit.person_id, hq=quarter(hit.starts_at.cast("timestamp(6)"))).aggregate()
        att = done.group_by(t_person=done.person_id, tq=quarter(done.starts_at)).aggregate()
        act_q = att.left_join(hit, (att.t_person == hit.h_person) & (att.tq == hit.hq))
        e4 = act_q.group_by(q=act_q.tq).aggregate(attendees=act_q.count(), activated=act_q.h_person.notnull().sum())
        return per_q, e3, e4
    # each check-in's next online act: one ordered stream per person (a join of check-ins with
    # acts would pair every check-in of a prolific person with every act of theirs)
    stream = done.select(s_person=done.person_id, s_ts=done.starts_at.cast("timestamp(6)"), s_ci=ibis.literal(1),
                         a_ts=ibis.null("timestamp(6)")).union(
        on.select(s_person=on.person_id, s_ts=on.ts.cast("timestamp(6)"), s_ci=ibis.literal(0),
                  a_ts=on.ts.cast("timestamp(6)")))
    after = ibis.window(group_by=stream.s_person, order_by=[stream.s_ts, stream.s_ci], rows=(1, None))
    nxt = stream.mutate(next_ts=stream.a_ts.min().over(after))
    hit = nxt.filter((nxt.s_ci == 1) & (nxt.next_ts <= nxt.s_ts + ibis.interval(days=ACTIVATION_DAYS)))
    hit = hit.group_by(h_person=hit.s_person, hq=quarter(hit.s_ts)).aggregate()
    att = done.group_by(t_person=done.person_id, tq=quarter(done.starts_at)).aggregate()
    act_q = att.left_join(hit, (att.t_person == hit.h_person) & (att.tq == hit.hq))
    e4 = act_q.group_by(q=act_q.tq).aggregate(attendees=act_q.count(), activated=act_q.h_person.notnull().sum())
    return per_q, e3, e4


def _quarters(per_q: list[dict[str, Any]], e3: list[dict[str, Any]], e4: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for x in per_q:
        rows[x["q"]] = {
            "quarter": x["q"], "events": int(x["events"]), "rsvp_yes": int(x["yes"] or 0),
            "checkins": int(x["checkins"] or 0),
            "show_up_pct": _pct(x["rec_checkins"] or 0, x["rec_yes"] or 0),
            "show_up_checkins": int(x["rec_checkins"] or 0), "show_up_rsvp_yes": int(x["rec_yes"] or 0),
            "first_timers": int(x["first_timers"] or 0), "returned": int(x["returned"] or 0),
            "return_pct": _pct(x["returned"] or 0, x["ft_decided"] or 0),
        }
    blank = {"events": 0, "rsvp_yes": 0, "checkins": 0, "show_up_pct": None, "show_up_checkins": 0,
             "show_up_rsvp_yes": 0, "first_timers": 0, "returned": 0,
             "return_pct": None}
    if rows:  # conversion figures only make sense once the organisation holds events
        first_q = min(rows)
        for x in e3:
            if x["q"] >= first_q:
                rows.setdefault(x["q"], {"quarter": x["q"], **blank}).update(
                    online_people=int(x["online"]), converted=int(x["converted"]),
                    conversion_pct=_pct(x["converted"], x["online"]))
        for x in e4:
            rows.setdefault(x["q"], {"quarter": x["q"], **blank}).update(
                attendees=int(x["attendees"]), activated=int(x["activated"]),
                activation_pct=_pct(x["activated"], x["attendees"]))
    out = []
    for k in sorted(rows):
        r = rows[k]
        for f in ("online_people", "converted", "attendees", "activated"):
            r.setdefault(f, 0)
        r.setdefault("conversion_pct", None)
        r.setdefault("activation_pct", None)
        out.append(r)
    return out


i18n.register({
    "ev.title": {"en": "{n} events up to the week ending {week}", "fr": "{n} événements jusqu'à la semaine finissant le {week}"},
    "ev.quarters": {"en": "Per quarter", "fr": "Par trimestre"},
    "ev.col.event": {"en": "event", "fr": "événement"},
    "ev.col.date": {"en": "date", "fr": "date"},
    "ev.col.rsvp": {"en": "RSVP yes/no/maybe/wait", "fr": "réponses oui/non/peut-être/attente"},
    "ev.col.yes": {"en": "RSVP yes", "fr": "réponses oui"},
    "ev.col.checkins": {"en": "check-ins", "fr": "présents"},
    "ev.col.showup": {"en": "show-up", "fr": "taux de présence"},
    "ev.col.first": {"en": "first-timers", "fr": "premières fois"},
    "ev.col.return": {"en": "came back", "fr": "revenus"},
    "ev.col.quarter": {"en": "quarter", "fr": "trimestre"},
    "ev.col.conversion": {"en": "online→offline", "fr": "en ligne→sur place"},
    "ev.col.activation": {"en": "offline→online", "fr": "sur place→en ligne"},
    "ev.pending": {"en": "pending", "fr": "en attente"},
    "ev.none": {"en": "No event yet. Import a calendar, a Meetup export or a check-in sheet.",
                "fr": "Aucun événement pour l'instant. Importez un calendrier, un export Meetup ou une feuille de présence."},
})

register()
