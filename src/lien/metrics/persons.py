"""People as the model sees them: the list (``lien people``) and one person's explanation
(``lien person WHO --explain``), read from the weekly snapshots."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ..errors import UsageError
from ..text import norm_key
from .base import resolve_as_of
from .engagement import COMPONENTS, Params
from .levels import LEVELS

SORTS = {"pes": "s.pes DESC", "level": "s.level DESC, s.pes DESC", "last": "last_seen DESC NULLS LAST",
         "name": "lower(p.display_name)", "prescriber": "s.prescriber DESC"}
SUBSTANTIVE = ("post", "comment", "reply", "message", "mention")
OFFLINE = ("attend", "volunteer", "speak", "host")


def resolve(ws: Any, who: str) -> str:
    """A people id from a people id, an identity key, or a unique display-name match."""
    if ws.rows("SELECT 1 FROM people WHERE id = ?", [who]):
        return who
    ids = ws.rows("SELECT DISTINCT person_id FROM identities WHERE key = ? OR channel || '/' || key = ?",
                  [norm_key(who), who.strip().lower()])
    if len(ids) == 1:
        return str(ids[0]["person_id"])
    for cond in ("lower(display_name) = lower(?)", "lower(display_name) LIKE '%' || lower(?) || '%'"):
        found = ws.rows(f"""SELECT id, display_name FROM people WHERE {cond} AND role <> 'bot'
                            AND id IN (SELECT person_id FROM identities) ORDER BY id""", [who])
        if len(found) == 1:
            return str(found[0]["id"])
        if len(found) > 1:
            names = ", ".join(f"{r['display_name']} ({r['id']})" for r in found[:8])
            raise UsageError(f"'{who}' matches several people: {names}; give a person id")
    raise UsageError(f"nobody matches '{who}' (give a person id, an e-mail/handle, or a name)")


def people(ws: Any, *, as_of: str | date | None = None, level: str | None = None, tag: str | None = None,
           channel: str | None = None, sort: str = "pes", limit: int | None = 50) -> dict[str, Any]:
    """People scored in the week of ``as_of``: PES, level, tags, last seen."""
    T = resolve_as_of(ws, as_of)
    if sort not in SORTS:
        raise UsageError(f"cannot sort people by '{sort}' ({', '.join(SORTS)})")
    where, params = ["s.week = ?"], [T - timedelta(days=6)]
    if level is not None:
        lv = _level(level)
        where.append("s.level = ?")
        params.append(lv)
    if tag is not None:
        where.append("list_contains(s.tags, ?)")
        params.append(tag)
    if channel is not None:
        where.append("""s.person_id IN (SELECT i.person_id FROM activities a JOIN identities i ON i.id = a.identity_id
                        WHERE a.channel = ?)""")
        params.append(channel)
    rows = ws.rows(f"""
        WITH seen AS (SELECT i.person_id, max(a.ts) AS last_seen FROM activities a
                      JOIN identities i ON i.id = a.identity_id WHERE a.ts < ?::DATE + 1 GROUP BY 1)
        SELECT s.person_id, p.display_name AS name, s.role, round(s.pes, 1) AS pes, s.level, s.tags, seen.last_seen
        FROM score_weeks s JOIN people p ON p.id = s.person_id LEFT JOIN seen ON seen.person_id = s.person_id
        WHERE {' AND '.join(where)}
        ORDER BY {SORTS[sort]}, s.person_id {f'LIMIT {int(limit)}' if limit else ''}""", [T, *params])
    for r in rows:
        r["level"] = LEVELS[r["level"]]
        r["tags"] = list(r["tags"] or [])
    return {"as_of": T, "people": rows}


def _level(name: str) -> int:
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    aliases = {"n0": 0, "n1": 1, "n2": 2, "n3": 3, "observateur": 0, "habitue": 2, "habitué": 2,
               "porte_etendard": 3, "porte_étendard": 3}
    if key in LEVELS:
        return LEVELS.index(key)
    if key in aliases:
        return aliases[key]
    raise UsageError(f"unknown level '{name}' ({', '.join(LEVELS)})")


def _row(ws: Any, pid: str, monday: date) -> dict[str, Any] | None:
    rows = ws.rows("SELECT * FROM score_weeks WHERE person_id = ? AND week = ?", [pid, monday])
    return rows[0] if rows else None


def person(ws: Any, who: str, *, as_of: str | date | None = None) -> dict[str, Any]:
    """One person's score as of the week of ``as_of``, explained: each component with its raw
    quantity, value and points, the level and what the next one needs, and what changed
    since the week before."""
    pid = resolve(ws, who)
    T = resolve_as_of(ws, as_of)
    monday = T - timedelta(days=6)
    p = Params.from_config(ws.config.model)
    info = ws.rows("SELECT id, display_name, role FROM people WHERE id = ?", [pid])[0]
    cur = _row(ws, pid, monday)
    prev = _row(ws, pid, monday - timedelta(days=7))
    facts = _facts(ws, pid, T, p)
    comps = {c: round(float(cur[f"p_{c}"]), 2) if cur else 0.0 for c in COMPONENTS}
    out: dict[str, Any] = {
        "person_id": pid, "name": info["display_name"], "role": info["role"], "as_of": T,
        "pes": round(float(cur["pes"]), 1) if cur else 0.0,
        "level": LEVELS[cur["level"]] if cur else LEVELS[0],
        "level_rule": LEVELS[cur["level_rule"]] if cur else LEVELS[0],
        "tags": list(cur["tags"] or []) if cur else [],
        "components": comps,
        "details": [_detail(c, cur, facts, p) for c in COMPONENTS],
        "next_level": _next_level(cur, facts),
        "changes": _changes(cur, prev, facts),
        "prescriber": round(float(cur["prescriber"]), 1) if cur else 0.0,
        "last_substantive": cur["last_substantive"] if cur else None,
        "median_gap_days": cur["median_gap_days"] if cur else None,
    }
    return out


def _facts(ws: Any, pid: str, T: date, p: Params) -> dict[str, Any]:
    """Plain counts behind the components (for the explanation only)."""
    start = T - timedelta(weeks=p.lookback) + timedelta(days=1)
    w13 = T - timedelta(weeks=p.online_window) + timedelta(days=1)
    monday = T - timedelta(days=6)
    kinds = ws.rows("""
        SELECT a.kind, count(*) AS n, count(*) FILTER (WHERE a.ts >= ?) AS n13,
               count(*) FILTER (WHERE a.ts >= ?) AS week
        FROM activities a JOIN identities i ON i.id = a.identity_id
        WHERE i.person_id = ? AND NOT i.is_org AND a.ts >= ? AND a.ts < ?::DATE + 1 GROUP BY 1""",
                    [w13, monday, pid, start, T])
    events = ws.rows("""
        SELECT coalesce(a.thread_id, a.id) AS ev, list(DISTINCT a.kind) AS kinds
        FROM activities a JOIN identities i ON i.id = a.identity_id
        WHERE i.person_id = ? AND a.kind IN ('attend','volunteer','speak','host') AND a.ts >= ? AND a.ts < ?::DATE + 1
        GROUP BY 1""", [pid, start, T])
    channels = ws.rows("""
        SELECT DISTINCT CASE WHEN a.kind IN ('attend','volunteer','speak','host') THEN 'offline' ELSE a.channel END AS c
        FROM activities a JOIN identities i ON i.id = a.identity_id
        WHERE i.person_id = ? AND a.kind IN ('post','comment','reply','message','mention','attend','volunteer','speak','host')
          AND a.ts >= ? AND a.ts < ?::DATE + 1 ORDER BY 1""", [pid, w13, T])
    counterparts = ws.rows("""
        SELECT CASE WHEN a = ? THEN b ELSE a END AS other, max(week) AS last
        FROM tie_weeks WHERE (a = ? OR b = ?) AND reciprocated > 0 AND week <= ? AND week >= ?
        GROUP BY 1 ORDER BY last DESC""", [pid, pid, pid, monday, start])
    by = {r["kind"]: r for r in kinds}
    return {"kinds": by, "events": events, "channels": [r["c"] for r in channels],
            "counterparts": [{"other": r["other"], "weeks_ago": (monday - r["last"]).days // 7} for r in counterparts],
            "T": T}


def _n(facts: dict[str, Any], kinds: tuple[str, ...], col: str = "n") -> int:
    return sum(int(facts["kinds"][k][col]) for k in kinds if k in facts["kinds"])


_PLURALS = {"reply": "replies", "person": "people", "like/share/follow": "likes/shares/follows"}


def _plural(n: int, word: str) -> str:
    return f"{n} {word if n == 1 else _PLURALS.get(word, word + 's')}"


def _detail(c: str, cur: dict[str, Any] | None, f: dict[str, Any], p: Params) -> dict[str, Any]:
    if cur is None:
        return {"component": c, "raw": 0.0, "value": 0.0, "points": 0.0, "note": "no act in the lookback window"}
    if c == "offline":
        roles = [k for e in f["events"] for k in e["kinds"] if k != "attend"]
        extra = ", ".join(_plural(roles.count(k), f"as {k}") for k in sorted(set(roles)))
        raw, note = cur["x_offline"], f"x_off = {cur['x_offline']:.2f} ({_plural(len(f['events']), 'event')}" + (
            f"; {extra}" if extra else "") + ")"
    elif c == "conversation":
        parts = [_plural(_n(f, (k,)), k) for k in SUBSTANTIVE if _n(f, (k,))]
        raw, note = cur["x_conversation"], f"x_conv = {cur['x_conversation']:.2f} ({', '.join(parts) or 'nothing'})"
    elif c == "reciprocity":
        cps = f["counterparts"]
        ages = " and ".join(str(x["weeks_ago"]) for x in cps[:5])
        raw, note = cur["x_reciprocity"], f"x_rec = {cur['x_reciprocity']:.2f} ({_plural(len(cps), 'person')}" + (
            f"; last exchanges {ages} weeks ago" if cps else "") + ")"
    elif c == "regularity":
        raw = float(cur["v_regularity"])
        note = (f"{cur['online_weeks']}/{p.online_window} weeks online (full at {p.online_weeks_full}); "
                f"{cur['offline_months']}/{p.offline_window_months} months offline (full at {p.offline_months_full})")
    elif c == "breadth":
        raw, note = float(cur["channels"]), f"{_plural(cur['channels'], 'channel')}: {', '.join(f['channels'])}"
    else:
        n = _n(f, ("like", "share", "follow"))
        raw, note = cur["x_light"], f"x_light = {cur['x_light']:.2f} ({_plural(n, 'like/share/follow')} in the lookback)"
    return {"component": c, "raw": round(float(raw), 2), "value": round(float(cur[f"v_{c}"]), 2),
            "points": round(float(cur[f"p_{c}"]), 1), "note": note}


def _next_level(cur: dict[str, Any] | None, f: dict[str, Any]) -> dict[str, Any] | None:
    lv = int(cur["level_rule"]) if cur else 0
    if lv >= 3:
        return None
    target = LEVELS[lv + 1]
    needs: list[str] = []
    if cur is None or lv == 0:
        needs.append("one substantive act (a comment, a reply, a post, a message or a check-in) in 13 weeks")
    elif lv == 1:
        if cur["v_regularity"] < 0.5:
            needs.append("activity in 4 of the last 13 weeks, or attendance in 2 of the last 6 months")
        if cur["substantive_13w"] < 3:
            needs.append(f"{3 - cur['substantive_13w']} more substantive act(s) in 13 weeks")
    else:
        if cur["v_regularity"] < 1:
            needs.append("activity in 7 of the last 13 weeks, or attendance in 4 of the last 6 months")
        if cur["checkins_26w"] < 2:
            needs.append(f"{2 - cur['checkins_26w']} more check-in(s) in 26 weeks")
        if cur["online_13w"] < 6:
            needs.append(f"{6 - cur['online_13w']} more online contribution(s) in 13 weeks")
        if cur["counterparts_13w"] < 3:
            missing = 3 - cur["counterparts_13w"]
            needs.append(f"exchanges with 3 different people ({missing} more reciprocated counterpart"
                         f"{'' if missing == 1 else 's'})")
        if cur["first_week"] is not None and (cur["week"] - cur["first_week"]).days < 13 * 7:
            needs.append("13 weeks of tenure")
    return {"level": target, "needs": needs}


LABEL = {"offline": "Offline presence", "conversation": "Conversation", "reciprocity": "Reciprocity",
         "regularity": "Regularity", "breadth": "Breadth", "light": "Light signals"}
NEW_KINDS = {"offline": OFFLINE, "conversation": SUBSTANTIVE, "reciprocity": ("reply", "comment", "message", "mention"),
             "regularity": SUBSTANTIVE + OFFLINE, "breadth": SUBSTANTIVE + OFFLINE, "light": ("like", "share", "follow")}


def _changes(cur: dict[str, Any] | None, prev: dict[str, Any] | None, f: dict[str, Any]) -> list[dict[str, Any]]:
    """Week-over-week delta per component, with the reason: new acts this week, or decay."""
    out = []
    for c in COMPONENTS:
        now = float(cur[f"p_{c}"]) if cur else 0.0
        before = float(prev[f"p_{c}"]) if prev else 0.0
        d = now - before
        if abs(d) < 0.05:
            continue
        new = _n(f, NEW_KINDS[c], "week")
        if new:
            why = f"{_plural(new, 'new act')} this week"
        elif d < 0:
            why = "nothing new this week: decay" if c not in ("regularity", "breadth") else \
                "an active week or channel left the window"
        else:
            why = "window moved"
        out.append({"component": c, "delta": round(d, 1), "reason": why,
                    "text": f"{d:+.1f} {LABEL[c]}: {why}"})
    return out
