"""The person engagement score (PES, MODEL.md §2–§3): acts, weekly aggregates, components.

Everything here is an Ibis expression over the workspace tables; the week is an integer
index (``week`` = ISO weeks since the Monday 1969-12-29), turned into a date on output.
Decayed sums over a trailing window are windowed sums on a dense person × week grid:
``Σ_{w ∈ (T-L, T]} q(w)·2^(-(T-w)/h) = 2^(-T/h)·Σ_{w ∈ (T-L, T]} q(w)·2^(w/h)``, the last L rows
of each person (exponents relative to the grid's first week, so they stay small).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import ibis

from ..errors import ConfigError

EPOCH_MONDAY = date(1969, 12, 29)
ONLINE_SUBSTANTIVE = ("post", "comment", "reply", "message", "mention")
OFFLINE = ("attend", "volunteer", "speak", "host")
LIGHT = ("like", "share", "follow")
REACTIONS = ("like", "share")
COMPONENTS = ("offline", "conversation", "reciprocity", "regularity", "breadth", "light")
ORG = "@org"


def week_index(d: date) -> int:
    return (d - EPOCH_MONDAY).days // 7


def week_date(w: int) -> date:
    return EPOCH_MONDAY + timedelta(days=7 * w)


@dataclass(frozen=True)
class Params:
    """The constants of MODEL.md §10, read from ``lien.toml`` ([model])."""

    lookback: int
    h_online: float
    h_offline: float
    h_tie: float
    weights: dict[str, float]
    k: dict[str, float]
    action: dict[str, float]
    cap_conversation: float
    cap_light: float
    cap_tie: float
    reciprocity_days: int
    online_weeks_full: int
    online_window: int
    offline_months_full: int
    offline_window_months: int
    demotion: str
    grace: int
    tie: dict[str, float]
    staff_out: bool

    @classmethod
    def from_config(cls, m: dict[str, Any]) -> "Params":
        def bad(setting: str, expected: str, found: Any) -> ConfigError:
            return ConfigError(f"lien.toml: 'model.{setting}' expected {expected}, found {found!r}", setting=f"model.{setting}")

        h = m["half_life_weeks"]
        for key in ("online", "offline", "tie"):
            if not h[key] >= 1:
                raise bad(f"half_life_weeks.{key}", "at least 1 (week)", h[key])
        for key, v in m["saturation_k"].items():
            if not v > 0:
                raise bad(f"saturation_k.{key}", "a positive number", v)
        reg = m["regularity"]
        ints = {"lookback_weeks": m["lookback_weeks"], "reciprocity_window_days": m["reciprocity_window_days"],
                **{f"regularity.{k}": v for k, v in reg.items()}, "levels.grace_weeks": m["levels"]["grace_weeks"]}
        for key, v in ints.items():
            if not isinstance(v, int) or v < (0 if key == "levels.grace_weeks" else 1):
                raise bad(key, "a positive whole number", v)
        if m["regularity"]["online_window_weeks"] > m["lookback_weeks"]:
            raise bad("regularity.online_window_weeks", f"at most lookback_weeks ({m['lookback_weeks']})",
                      m["regularity"]["online_window_weeks"])
        if m["levels"]["demotion"] not in ("month_end", "weekly"):
            raise bad("levels.demotion", "'month_end' or 'weekly'", m["levels"]["demotion"])
        if m.get("calibrate"):
            raise bad("calibrate", "false (quarterly calibration of k is not available yet)", m["calibrate"])
        caps = m["caps_per_week"]
        return cls(
            lookback=int(m["lookback_weeks"]), h_online=float(h["online"]), h_offline=float(h["offline"]),
            h_tie=float(h["tie"]), weights={k: float(v) for k, v in m["weights"].items()},
            k={k: float(v) for k, v in m["saturation_k"].items()},
            action={k: float(v) for k, v in m["action_weights"].items()},
            cap_conversation=float(caps["conversation_units"]), cap_light=float(caps["light"]),
            cap_tie=float(caps["tie_points"]), reciprocity_days=int(m["reciprocity_window_days"]),
            online_weeks_full=int(reg["online_weeks_full"]), online_window=int(reg["online_window_weeks"]),
            offline_months_full=int(reg["offline_months_full"]),
            offline_window_months=int(reg["offline_window_months"]),
            demotion=str(m["levels"]["demotion"]), grace=int(m["levels"]["grace_weeks"]),
            tie={k: float(v) for k, v in m["tie_weights"].items()},
            staff_out=bool(m["exclude"]["staff_from_aggregates"]),
        )

    def kind_weight(self, kind: str) -> float:
        if kind == "mention":  # a mention is written like a comment: it weighs as one
            return self.action.get("mention", self.action["comment"])
        if kind in ("share", "follow"):
            return self.action.get(kind, self.action["like"])
        return self.action[kind]

    def effective_weights(self, has_events: bool) -> dict[str, float]:
        """Component weights; without any event, C1 is hidden and the others rescaled to 100."""
        w = dict(self.weights)
        if not has_events:
            rest = sum(v for k, v in w.items() if k != "offline")
            total = sum(w.values())
            w = {k: (0.0 if k == "offline" else v * total / rest if rest else 0.0) for k, v in w.items()}
        return w


def sat(x: Any, k: float) -> Any:
    """Saturation ``s(x; k) = 1 − exp(−x/k)``."""
    return 1 - (-(x / k)).exp()


def _case(*pairs: tuple[Any, Any], else_: Any) -> Any:
    return ibis.cases(*pairs, else_=else_)


def base_acts(b: Any, from_week: Any = None, to_week: Any = None, *, with_targets: bool = True) -> Any:
    """Every act with who did it and whom it addresses, resolved to people.

    ``actor``/``dst`` are people ids, or ``'@org'`` for the organisation's own identities;
    acts by bots (and acts addressed to bots) are left out; ``scored`` is true for acts
    of people the model scores (not our identities, not bots)."""
    a = b.table("activities")
    i = b.table("identities")
    p = b.table("people")
    ids = i.join(p, i.person_id == p.id, how="left").select(
        iid=i.id, person=i.person_id, is_org=i.is_org,
        is_bot=i.is_bot | (p.role.fill_null("community") == "bot"), role=p.role.fill_null("community"))
    acts = a.select("id", "channel", "identity_id", "kind", "ts", "thread_id", "in_reply_to", "target_identity_id")
    acts = acts.filter(acts.identity_id.notnull())
    day = acts.ts.date().delta(ibis.date(1970, 1, 1), unit="day")
    acts = acts.mutate(day=day, week=((day + 3) / 7).floor().cast("int64"))
    if from_week is not None:
        acts = acts.filter(acts.week >= from_week)
    if to_week is not None:
        acts = acts.filter(acts.week <= to_week)
    j = acts.join(ids, acts.identity_id == ids.iid).filter(lambda t: ~t.is_bot)
    j = j.mutate(actor=ibis.ifelse(j.is_org, ORG, j.person))
    if not with_targets:
        return j.select("id", "actor", "role", "kind", "ts", "day", "week", "channel", "thread_id",
                        "in_reply_to", "target_identity_id", scored=~j.is_org)
    parents = a.select(pid=a.id, parent_identity=a.identity_id)
    j = j.left_join(parents, j.in_reply_to == parents.pid)
    j = j.mutate(dst_identity=j.target_identity_id.coalesce(j.parent_identity))
    d = ids.select(did=ids.iid, dperson=ids.person, dorg=ids.is_org, dbot=ids.is_bot)
    j = j.left_join(d, j.dst_identity == d.did)
    dst = ibis.ifelse(j.dorg, ORG, j.dperson)
    j = j.mutate(dst=ibis.ifelse(j.dbot.fill_null(False) | (dst == j.actor), ibis.null("string"), dst))
    return j.select(
        "id", "actor", "role", "kind", "ts", "day", "week", "channel", "thread_id", "dst",
        scored=~j.is_org,
        ctx=j.thread_id.coalesce("dm:" + j.channel),
        ev=j.thread_id.coalesce(j.id),
    )


def person_weeks(acts: Any, p: Params) -> Any:
    """Per scored person and week: conversation units (capped), light signals (capped),
    offline points (per event, the heaviest act: attend 1, volunteer 2, speak/host 3),
    counts of acts and check-ins."""
    s = acts.filter(acts.scored)
    conv_w = _case(*[(s.kind == k, p.kind_weight(k)) for k in ONLINE_SUBSTANTIVE], else_=0.0)
    is_on = s.kind.isin(ONLINE_SUBSTANTIVE)
    online = s.group_by(person=s.actor, week=s.week).aggregate(
        conv=ibis.least(conv_w.sum(), p.cap_conversation),
        n_online=is_on.sum().cast("int64"),
        light=ibis.least(s.kind.isin(LIGHT).sum().cast("float64"), p.cap_light),
        n_acts=s.count(),
    )
    off = s.filter(s.kind.isin(OFFLINE))
    offw = _case(*[(off.kind == k, p.kind_weight(k)) for k in OFFLINE], else_=0.0)
    per_event = off.group_by(person=off.actor, ev=off.ev).aggregate(m=offw.max(), week=off.week.min())
    offline = per_event.group_by("person", "week").aggregate(off=per_event.m.sum(), n_checkins=per_event.count())
    j = online.join(offline, ["person", "week"], how="outer")
    return j.select(
        person=j.person.coalesce(j.person_right), week=j.week.coalesce(j.week_right),
        conv=j.conv.fill_null(0.0), n_online=j.n_online.fill_null(0), light=j.light.fill_null(0.0),
        n_acts=j.n_acts.fill_null(0), off=j.off.fill_null(0.0), n_checkins=j.n_checkins.fill_null(0),
    )


def first_weeks(b: Any) -> Any:
    """Per scored person, over all time: the first act's week and the first substantive act's week."""
    acts = base_acts(b, with_targets=False)
    s = acts.filter(acts.scored)
    sub = s.kind.isin(ONLINE_SUBSTANTIVE + OFFLINE)
    return s.group_by(person=s.actor).aggregate(
        first_week=s.week.min(),
        first_sub_week=ibis.ifelse(sub, s.week, ibis.null("int64")).min(),
    )


def intervals(t: Any, span: int, value: Any, h: float | None, base: int, name: str) -> Any:
    """Deltas that make "the last time per (person, other) ≤ T" summable over people.

    ``t`` holds distinct (person, other, week). For each such week, until the next one of
    the same pair or ``span`` weeks later, the pair counts ``value`` (decayed from that week
    when ``h`` is given). Returns (person, week, <name>) deltas to add up cumulatively."""
    w = ibis.window(group_by=[t.person, t.other], order_by=t.week)
    t = t.mutate(nxt=t.week.lead().over(w))
    end = ibis.ifelse(t.nxt.isnull(), t.week + span, ibis.least(t.nxt, t.week + span))
    amount = value * (2.0 ** ((t.week - base).cast("float64") / h)) if h else value
    t = t.mutate(amount=amount, end=end)
    plus = t.select(person=t.person, week=t.week, delta=t.amount)
    minus = t.select(person=t.person, week=t.end, delta=-t.amount)
    u = plus.union(minus, distinct=False)
    return u.group_by("person", "week").aggregate(**{name: u.delta.sum()})
