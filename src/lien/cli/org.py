"""The organisation's side: inbox, responsiveness, channels, content, events, goals.

Each command calls one library function of :mod:`lien.metrics` and renders its result."""
from __future__ import annotations

from typing import Any, Optional

import typer

from .. import i18n
from .app import JsonOpt, app, ws
from .output import emit, out, print_json, print_table

AsOfOpt = typer.Option(None, "--as-of", help="The week to look at (YYYY-MM-DD: the ISO week containing it; "
                                             "default: the last complete week).")
ChannelOpt = typer.Option(None, "--channel", help="Only this channel.")


def _pct(v: Any) -> str:
    return i18n.t("resp.none") if v is None else f"{v:.1f} %"


def _num(v: Any) -> str:
    return i18n.t("resp.none") if v is None else f"{v:.1f}"


def _short(s: str, n: int = 60) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


@app.command()
def inbox(
    as_of: Optional[str] = AsOfOpt,
    channel: Optional[str] = ChannelOpt,
    since: Optional[str] = typer.Option(None, "--since", help="Only items from this date (YYYY-MM-DD)."),
    limit: int = typer.Option(50, "--limit", "-n", help="How many items to show (0: all)."),
    json: bool = JsonOpt,
) -> None:
    """Items still waiting for our reply, oldest first, with a link to each."""
    from ..metrics.responsiveness import inbox as lib

    w = ws()
    data = lib(w, as_of, channel=channel, since=since, limit=limit or None)
    if json:
        print_json(data)
        return
    if not data["total"]:
        out.print(i18n.t("resp.inbox.empty"))
        return
    rows = [{**r, "what": _short((r["title"] + " — " if r["title"] else "") + (r["text"] or ""))}
            for r in data["items"]]
    print_table(rows, [("ts", "resp.col.when"), ("age_days", "resp.col.age"), ("who", "resp.col.who"),
                       ("channel", "col.channel"), ("kind", "col.kind"), ("what", "resp.col.what"),
                       ("url", "resp.col.link")],
                title=i18n.t("resp.inbox.title", n=data["total"], week=data["as_of"]))
    if data["total"] > len(rows):
        out.print(i18n.t("resp.inbox.more", n=data["total"] - len(rows)))
    if data["people"]:
        h = int(w.config.model["response"]["unanswered_hours"])
        print_table(data["people"], [("who", "resp.col.who"), ("items", "resp.col.items"),
                                     ("oldest", "resp.col.oldest"), ("latest", "col.last")],
                    title=i18n.t("resp.inbox.people", h=h))


@app.command()
def responsiveness(
    as_of: Optional[str] = AsOfOpt,
    since: Optional[str] = typer.Option(None, "--since", help="Start of the period (default: 13 weeks before "
                                        "the end of the as-of week)."),
    months: int = typer.Option(12, "--months", help="How many months in the monthly table."),
    channel: Optional[str] = ChannelOpt,
    json: bool = JsonOpt,
) -> None:
    """How well we answer: coverage within 24 h and 72 h, median and p90 time to first response,
    newcomers' first items answered (R1–R3), per channel and per month."""
    from ..metrics.responsiveness import responsiveness as lib

    data = lib(ws(), as_of, since=since, months=months, channel=channel)
    if json:
        print_json(data)
        return
    h_t, h_l = int(data["hours"]["target"]), int(data["hours"]["limit"])
    o = data["overall"]
    out.print(i18n.t("resp.title", since=data["since"], week=data["as_of"]))
    out.print(i18n.t("resp.summary", items=o["items"], unanswered=o["unanswered"], t=h_t, l=h_l,
                     ct=_pct(o["coverage_target"]), cl=_pct(o["coverage_limit"]), med=_num(o["median_hours"]),
                     p90=_num(o["p90_hours"]), nc=_pct(o["newcomer_coverage"])))
    cols = [("items", "resp.col.items"), ("unanswered", "resp.col.unanswered"),
            ("cov_t", i18n.t("resp.col.cov", h=h_t)), ("cov_l", i18n.t("resp.col.cov", h=h_l)),
            ("median", "resp.col.median"), ("p90", "resp.col.p90"), ("nc", i18n.t("resp.col.newcomers", h=h_l))]

    def fmt_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**r, "cov_t": _pct(r["coverage_target"]), "cov_l": _pct(r["coverage_limit"]),
                 "median": _num(r["median_hours"]), "p90": _num(r["p90_hours"]),
                 "nc": _pct(r["newcomer_coverage"])} for r in rows]

    if data["channels"]:
        print_table(fmt_rows(data["channels"]), [("channel", "col.channel"), *cols], title=i18n.t("resp.by_channel"))
    if data["months"]:
        print_table(fmt_rows(data["months"]), [("month", "resp.col.month"), *cols], title=i18n.t("resp.by_month"))


def _flag_text(c: dict[str, Any]) -> str:
    parts = []
    for f in c["flags"]:
        if f == "silent":
            parts.append(i18n.t("pres.flag.silent", d=int(c["silent_for_days"])) if c["silent_for_days"] is not None
                         else i18n.t("pres.flag.silent_never"))
        elif f == "falling":
            parts.append(i18n.t("pres.flag.falling", prev=c["community_acts_prev"], now=c["community_acts"]))
    return "; ".join(parts)


@app.command()
def channels(
    as_of: Optional[str] = AsOfOpt,
    channel: Optional[str] = ChannelOpt,
    all_channels: bool = typer.Option(False, "--all", help="Every channel, not only those active in the last "
                                      "two quarters."),
    json: bool = JsonOpt,
) -> None:
    """Per channel: our presence (weeks with a publication out of 13, longest silence), dialogue ratio,
    conversation depth, trend against the previous quarter; channels going quiet are flagged."""
    from ..metrics.presence import channels as lib

    data = lib(ws(), as_of, channel=channel, all_channels=all_channels)
    if json:
        print_json(data)
        return
    if not data["channels"]:
        out.print(i18n.t("pres.none"))
        return
    rows = [{**c, "presence": f"{c['presence_weeks']}/{c['weeks']}",
             "dialogue": _num(c["dialogue_ratio"]) if c["dialogue_ratio"] is not None else i18n.t("resp.none"),
             "depth": _pct(c["depth_pct"]) + f" ({c['deep_threads']}/{c['threads']})",
             "acts": f"{c['community_acts_prev']} → {c['community_acts']}",
             "trend": (f"{c['trend_pct']:+.0f} %" if c["trend_pct"] is not None else i18n.t("resp.none")),
             "flag": _flag_text(c)} for c in data["channels"]]
    print_table(rows, [("channel", "col.channel"), ("presence", "pres.col.presence"),
                       ("longest_silence_days", "pres.col.silence"), ("silent_for_days", "pres.col.silent_for"),
                       ("dialogue", "pres.col.dialogue"), ("depth", "pres.col.depth"), ("acts", "pres.col.acts"),
                       ("trend", "pres.col.trend"), ("flag", "pres.col.flag")],
                title=i18n.t("pres.title", since=data["since"], week=data["as_of"]))


@app.command()
def events(
    as_of: Optional[str] = AsOfOpt,
    channel: Optional[str] = ChannelOpt,
    limit: int = typer.Option(20, "--limit", "-n", help="How many events to show, latest first (0: all)."),
    json: bool = JsonOpt,
) -> None:
    """Per event and per quarter: RSVPs, check-ins, show-up rate, first-timers and their return,
    online→offline conversion and offline→online activation (E1–E4), and whether attendees
    still exchange with people who do not come (bridging, B1)."""
    from ..metrics.bridging import bridging, sentence
    from ..metrics.events import events as lib

    w = ws()
    data = lib(w, as_of, channel=channel, limit=limit or None)
    b1 = bridging(w, data["as_of"], channel=channel)["quarters"]
    data = {**data, "bridging": b1}
    if json:
        print_json(data)
        return
    if not data["total_events"]:
        out.print(i18n.t("ev.none"))
        return
    pending = i18n.t("ev.pending")
    rows = [{**e, "rsvp": f"{e['yes']}/{e['no']}/{e['maybe']}/{e['waitlist']}", "showup": _pct(e["show_up_pct"]),
             "ret": (pending if e["return_pending"] else
                     f"{e['returned']}/{e['first_timers']}" if e["first_timers"] else "")}
            for e in data["events"]]
    print_table(rows, [("starts_at", "ev.col.date"), ("name", "ev.col.event"), ("channel", "col.channel"),
                       ("rsvp", "ev.col.rsvp"), ("checkins", "ev.col.checkins"), ("showup", "ev.col.showup"),
                       ("first_timers", "ev.col.first"), ("ret", "ev.col.return")],
                title=i18n.t("ev.title", n=data["total_events"], week=data["as_of"]))
    qrows = [{**q, "showup": _pct(q["show_up_pct"]), "ret": _pct(q["return_pct"]),
              "conv": f"{_pct(q['conversion_pct'])} ({q['converted']}/{q['online_people']})",
              "act": f"{_pct(q['activation_pct'])} ({q['activated']}/{q['attendees']})"} for q in data["quarters"]]
    print_table(qrows, [("quarter", "ev.col.quarter"), ("events", "col.events"), ("rsvp_yes", "ev.col.yes"),
                        ("checkins", "ev.col.checkins"), ("showup", "ev.col.showup"), ("first_timers", "ev.col.first"),
                        ("ret", "ev.col.return"), ("conv", "ev.col.conversion"), ("act", "ev.col.activation")],
                title=i18n.t("ev.quarters"))
    if b1:
        brows = [{**q, "pct": _pct(q["bridging_pct"]),
                  "change": "" if q["change_pts"] is None else f"{q['change_pts']:+.1f}"} for q in b1]
        print_table(brows, [("quarter", "ev.col.quarter"), ("attendees", "b1.col.attendees"),
                            ("exchanges", "b1.col.exchanges"), ("bridging", "b1.col.bridging"), ("pct", "B1"),
                            ("change", "b1.col.change")], title=i18n.t("b1.title"))
        out.print(sentence(b1[-1]))


goals_app = typer.Typer(help="Measurable, time-bound objectives on the indicators of the model (R1 … B1).",
                        no_args_is_help=True)
app.add_typer(goals_app, name="goals")


def _goal_rows(goals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**g, "objective": f"{g['comparison']} {g['target']:g}", "scope": g["scope"] or "*"} for g in goals]


@goals_app.command("add")
def goals_add(
    metric: Optional[str] = typer.Argument(None, help="The indicator's code: R1, R1-24h, R2, R3, P1, P1-silence, "
                                           "D1, D2, L1, L1-N2, L1-N3, E1, E2, E3, E4, N1, B1."),
    target: Optional[float] = typer.Option(None, "--target", help="The value to reach (default: MODEL.md's)."),
    deadline: Optional[str] = typer.Option(None, "--deadline", help="YYYY-MM-DD (default: the end of the quarter)."),
    scope: Optional[str] = typer.Option(None, "--scope", help="One channel (default: all)."),
    comparison: Optional[str] = typer.Option(None, "--comparison", help=">=, >, <= or < (default: the indicator's)."),
    note: Optional[str] = typer.Option(None, "--note", help="Why this goal."),
    defaults: bool = typer.Option(False, "--defaults", help="Add MODEL.md's default quarterly objectives."),
    json: bool = JsonOpt,
) -> None:
    """Add a goal (or, with --defaults, the default quarterly objectives)."""
    from ..errors import UsageError
    from ..metrics import goals as lib

    w = ws()
    if defaults:
        data = lib.add_defaults(w, deadline)
    elif metric:
        data = {"added": [lib.add(w, metric, target, deadline, scope=scope, comparison=comparison, note=note)],
                "skipped": []}
    else:
        raise UsageError("name an indicator (e.g. lien goals add R1 --target 95) or use --defaults")
    if json:
        print_json(data)
        return
    for g in data["added"]:
        out.print(i18n.t("goals.added", id=g["id"], name=g["name"], cmp=g["comparison"], target=f"{g['target']:g}",
                         dl=g["deadline"]), markup=False)
    for s in data["skipped"]:
        out.print(i18n.t("goals.skipped", metric=s["metric"], reason=s["reason"]), markup=False)


@goals_app.command("list")
def goals_list(json: bool = JsonOpt) -> None:
    """The goals, by deadline."""
    from ..metrics import goals as lib

    data = lib.list_goals(ws())
    if json:
        print_json({"goals": data})
        return
    if not data:
        out.print(i18n.t("goals.none"))
        return
    print_table(_goal_rows(data), [("id", "#"), ("metric", "goals.col.code"), ("name", "goals.col.name"),
                                   ("scope", "col.channel"), ("objective", "goals.col.objective"),
                                   ("deadline", "goals.col.deadline"), ("baseline", "goals.col.baseline")])


@goals_app.command("check")
def goals_check(as_of: Optional[str] = AsOfOpt, json: bool = JsonOpt) -> None:
    """Each goal's current value, the pace needed, and a verdict (on track, at risk, met, missed), explained."""
    from ..metrics import goals as lib

    data = lib.check(ws(), as_of)
    if json:
        print_json(data)
        return
    if not data["goals"]:
        out.print(i18n.t("goals.none"))
        return
    rows = [{**g, "verdict_t": i18n.t(f"goals.verdict.{g['verdict']}"),
             "value_t": lib._fmt(g["value"]), "pace": lib._fmt(g["pace_needed"])} for g in _goal_rows(data["goals"])]
    print_table(rows, [("id", "#"), ("name", "goals.col.name"), ("scope", "col.channel"),
                       ("value_t", "goals.col.value"), ("objective", "goals.col.objective"),
                       ("deadline", "goals.col.deadline"), ("pace", "goals.col.pace"), ("verdict_t", "goals.col.verdict")],
                title=i18n.t("goals.check.title", week=data["as_of"]))
    for g in data["goals"]:
        out.print(f"#{g['id']} {i18n.t('goals.verdict.' + g['verdict'])}: {g['explanation']}", markup=False)


@goals_app.command("remove")
def goals_remove(goal_id: int = typer.Argument(..., help="The goal's number (lien goals list)."),
                 json: bool = JsonOpt) -> None:
    """Remove a goal."""
    from ..metrics import goals as lib

    lib.remove(ws(), goal_id)
    if json:
        print_json({"removed": goal_id})
    else:
        out.print(i18n.t("goals.removed", id=goal_id))


@app.command()
def content(
    as_of: Optional[str] = AsOfOpt,
    since: Optional[str] = typer.Option(None, "--since", help="Start of the period (default: 13 weeks before "
                                        "the end of the as-of week)."),
    channel: Optional[str] = ChannelOpt,
    limit: int = typer.Option(30, "--limit", "-n", help="How many posts to show, newest first (0: all)."),
    json: bool = JsonOpt,
) -> None:
    """Per post of ours, the conversation it sparked (people who answered, depth, newcomers, our
    replies; likes as context), and which subjects and formats start conversations or only collect clicks."""
    from ..metrics.content import content as lib

    data = lib(ws(), as_of, since=since, channel=channel)
    if json:
        print_json(data)
        return
    if not data["posts"]:
        out.print(i18n.t("content.none"))
        return
    shown = data["posts"][: limit or None]
    rows = [{**p, "post": _short(p["title"] or "", 50)} for p in shown]
    print_table(rows, [("ts", "resp.col.when"), ("post", "content.col.post"), ("channel", "col.channel"),
                       ("people", "content.col.people"), ("depth", "content.col.depth"),
                       ("newcomers", "content.col.newcomers"), ("our_replies", "content.col.ours"),
                       ("likes", "content.col.likes")],
                title=i18n.t("content.title", n=len(data["posts"]), week=data["as_of"]))
    if data["summary"]:
        srows = [{**s, "group": f"{i18n.t('content.kind.' + s['kind'])}: {s['value']}",
                  "conv": f"{s['conversation_pct']:.0f} % ({s['conversations']}/{s['posts']})",
                  "clicks": f"{s['clicks_only_pct']:.0f} %", "verdict_t": i18n.t("content.verdict." + s["verdict"])}
                 for s in data["summary"]]
        print_table(srows, [("group", "content.col.group"), ("posts", "content.col.posts"),
                            ("conv", "content.col.conv"), ("clicks", "content.col.clicks"),
                            ("avg_people", "content.col.people"), ("verdict_t", "content.col.verdict")],
                    title=i18n.t("content.summary"))
