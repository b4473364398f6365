"""People as the model sees them: the list (``lien people``) and one person's explanation
(``lien person WHO --explain``), read from the weekly snapshots."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from .. import i18n
from ..errors import NotFound, UsageError
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
            raise UsageError(i18n.t("persons.err.several", who=who, names=names))
    raise NotFound(i18n.t("persons.err.nobody", who=who))


#: the roles of people (the people table's ``role``)
ROLES = ("community", "staff", "bot")


#: a name folded for searching (lower case, without accents, ß as ss), the same on both sides
FOLD_SQL = "replace(strip_accents(lower({})), 'ß', 'ss')"


def people(ws: Any, *, as_of: str | date | None = None, level: str | None = None, tag: str | None = None,
           channel: str | None = None, role: str | None = None, q: str | None = None, sort: str = "pes",
           offset: int = 0, limit: int | None = 50) -> dict[str, Any]:
    """People scored in the week of ``as_of``: PES, level, tags, last seen; ``total`` counts
    everyone the filters select, ``people`` lists ``limit`` of them from the ``offset``-th.
    ``q`` keeps the names containing it, whatever their case and accents."""
    T = resolve_as_of(ws, as_of)
    if sort not in SORTS:
        raise UsageError(i18n.t("persons.err.sort", sort=sort, known=", ".join(SORTS)))
    where, params = ["s.week = ?"], [T - timedelta(days=6)]
    if level is not None:
        lv = _level(level)
        where.append("s.level = ?")
        params.append(lv)
    if tag is not None:
        where.append("list_contains(s.tags, ?)")
        params.append(tag)
    if role is not None:
        if role not in ROLES:
            raise UsageError(i18n.t("persons.err.role", name=role, known=", ".join(ROLES)))
        where.append("s.role = ?")
        params.append(role)
    if q is not None and q.strip():
        where.append(f"contains({FOLD_SQL.format('coalesce(p.display_name, s.person_id)')}, {FOLD_SQL.format('?')})")
        params.append(q.strip())
    if channel is not None:
        where.append("""s.person_id IN (SELECT i.person_id FROM activities a JOIN identities i ON i.id = a.identity_id
                        WHERE a.channel = ?)""")
        params.append(channel)
    lim = (f'LIMIT {int(limit)}' if limit else 'LIMIT NULL') + (f' OFFSET {int(offset)}' if offset else '')
    if sort == "last":
        rows = ws.rows(f"""
            WITH seen AS (SELECT i.person_id, max(a.ts) AS last_seen FROM activities a
                          JOIN identities i ON i.id = a.identity_id WHERE a.ts < ?::DATE + 1 GROUP BY 1)
            SELECT s.person_id, p.display_name AS name, s.role, round(s.pes, 1) AS pes, s.level, s.tags, seen.last_seen,
                   count(*) OVER () AS total
            FROM score_weeks s JOIN people p ON p.id = s.person_id LEFT JOIN seen ON seen.person_id = s.person_id
            WHERE {' AND '.join(where)}
            ORDER BY {SORTS[sort]}, s.person_id {lim}""", [T, *params])
    else:
        # the page first, then last_seen for its people only (not a scan of everyone's acts)
        rows = ws.rows(f"""
            WITH sel AS (
                SELECT s.person_id, p.display_name AS name, s.role, round(s.pes, 1) AS pes, s.level, s.tags,
                       row_number() OVER (ORDER BY {SORTS[sort]}, s.person_id) AS rank, count(*) OVER () AS total
                FROM score_weeks s JOIN people p ON p.id = s.person_id
                WHERE {' AND '.join(where)}
                ORDER BY {SORTS[sort]}, s.person_id {lim}),
            seen AS (SELECT i.person_id, max(a.ts) AS last_seen FROM activities a
                     JOIN identities i ON i.id = a.identity_id
                     WHERE a.ts < ?::DATE + 1 AND i.person_id IN (SELECT person_id FROM sel) GROUP BY 1)
            SELECT sel.person_id, sel.name, sel.role, sel.pes, sel.level, sel.tags, seen.last_seen, sel.total
            FROM sel LEFT JOIN seen ON seen.person_id = sel.person_id ORDER BY sel.rank""", [*params, T])
    if rows:
        total = rows[0]["total"]
    else:  # nobody, or an offset past the last of them
        total = ws.scalar(f"""SELECT count(*) FROM score_weeks s JOIN people p ON p.id = s.person_id
                              WHERE {' AND '.join(where)}""", params) if offset else 0
    for r in rows:
        del r["total"]
        r["level"] = LEVELS[r["level"]]
        r["tags"] = list(r["tags"] or [])
    return {"as_of": T, "total": total, "people": rows}


def _level(name: str) -> int:
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    aliases = {"n0": 0, "n1": 1, "n2": 2, "n3": 3, "observateur": 0, "habitue": 2, "habitué": 2,
               "porte_etendard": 3, "porte_étendard": 3}
    if key in LEVELS:
        return LEVELS.index(key)
    if key in aliases:
        return aliases[key]
    raise UsageError(i18n.t("persons.err.level", name=name, known=", ".join(LEVELS)))


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
    both = {r["week"]: r for r in ws.rows("SELECT * FROM score_weeks WHERE week IN (?, ?) AND person_id = ?",
                                          [monday, monday - timedelta(days=7), pid])}
    cur, prev = both.get(monday), both.get(monday - timedelta(days=7))
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
    # the person's acts are read once; kinds, events and channels are aggregated from them
    facts = ws.rows("""
        WITH mine AS MATERIALIZED (
            SELECT a.kind, a.ts, a.channel, coalesce(a.thread_id, a.id) AS ev, i.is_org
            FROM activities a JOIN identities i ON i.id = a.identity_id
            WHERE i.person_id = ? AND a.ts >= least(?::TIMESTAMP, ?::TIMESTAMP) AND a.ts < ?::DATE + 1)
        SELECT
          (SELECT list({'kind': kind, 'n': n, 'n13': n13, 'week': week}) FROM (
              SELECT kind, count(*) AS n, count(*) FILTER (WHERE ts >= ?) AS n13, count(*) FILTER (WHERE ts >= ?) AS week
              FROM mine WHERE NOT is_org AND ts >= ? GROUP BY 1)) AS kinds,
          (SELECT list({'ev': ev, 'kinds': kinds}) FROM (
              SELECT ev, list(DISTINCT kind) AS kinds FROM mine
              WHERE kind IN ('attend','volunteer','speak','host') AND ts >= ? GROUP BY 1)) AS events,
          (SELECT list(c ORDER BY c) FROM (
              SELECT DISTINCT CASE WHEN kind IN ('attend','volunteer','speak','host') THEN 'offline' ELSE channel END AS c
              FROM mine WHERE kind IN ('post','comment','reply','message','mention','attend','volunteer','speak','host')
                AND ts >= ?)) AS channels""", [pid, start, w13, T, w13, monday, start, start, w13])[0]
    kinds, events = facts["kinds"] or [], facts["events"] or []
    channels = [{"c": c} for c in facts["channels"] or []]
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


def _pl(key: str, n: int, **fields: Any) -> str:
    return i18n.tn(f"persons.n.{key}", n, **fields)


def _and(items: list[str]) -> str:
    """"2, 5 and 7" / "2, 5 et 7"."""
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + i18n.t("persons.and") + items[-1]


def _detail(c: str, cur: dict[str, Any] | None, f: dict[str, Any], p: Params) -> dict[str, Any]:
    if cur is None:
        return {"component": c, "raw": 0.0, "value": 0.0, "points": 0.0, "note": i18n.t("persons.no_act")}
    x = i18n.num(float(cur[f"x_{c}"]), 2) if c in ("offline", "conversation", "reciprocity", "light") else ""
    if c == "offline":
        roles = [k for e in f["events"] for k in e["kinds"] if k != "attend"]
        extra = ", ".join(i18n.t(f"persons.as.{k}", n=roles.count(k)) for k in sorted(set(roles)))
        events = _pl("event", len(f["events"]))
        raw = cur["x_offline"]
        note = i18n.t("persons.note.offline_roles", x=x, events=events, roles=extra) if extra else \
            i18n.t("persons.note.offline", x=x, events=events)
    elif c == "conversation":
        parts = [_pl(k, _n(f, (k,))) for k in SUBSTANTIVE if _n(f, (k,))]
        raw = cur["x_conversation"]
        note = i18n.t("persons.note.conversation", x=x, parts=", ".join(parts) or i18n.t("persons.nothing"))
    elif c == "reciprocity":
        cps = f["counterparts"]
        ages = [int(a["weeks_ago"]) for a in cps[:5]]
        raw, people = cur["x_reciprocity"], _pl("person", len(cps))
        if not cps:
            note = i18n.t("persons.note.reciprocity", x=x, people=people)
        else:
            when = i18n.t("persons.ago.now") if max(ages) == 0 and len(ages) == 1 else \
                i18n.tn("persons.ago.one" if len(ages) == 1 else "persons.ago.many", max(ages),
                        ages=_and([str(a) for a in ages]))
            note = i18n.t("persons.note.reciprocity_when", x=x, people=people, when=when)
    elif c == "regularity":
        raw = float(cur["v_regularity"])
        note = i18n.t("persons.note.regularity", on=cur["online_weeks"], w=p.online_window, full_on=p.online_weeks_full,
                      off=cur["offline_months"], m=p.offline_window_months, full_off=p.offline_months_full)
    elif c == "breadth":
        names = [i18n.t("persons.offline_channel") if ch == "offline" else ch for ch in f["channels"]]
        raw = float(cur["channels"])
        note = i18n.t("persons.note.breadth", channels=_pl("channel", cur["channels"]), names=", ".join(names)) \
            if names else i18n.t("persons.no_channel")
    else:
        raw = cur["x_light"]
        note = i18n.t("persons.note.light", x=x, signals=_pl("light", _n(f, ("like", "share", "follow"))))
    return {"component": c, "raw": round(float(raw), 2), "value": round(float(cur[f"v_{c}"]), 2),
            "points": round(float(cur[f"p_{c}"]), 1), "note": note}


def _next_level(cur: dict[str, Any] | None, f: dict[str, Any]) -> dict[str, Any] | None:
    lv = int(cur["level_rule"]) if cur else 0
    if lv >= 3:
        return None
    target = LEVELS[lv + 1]
    needs: list[str] = []
    if cur is None or lv == 0:
        needs.append(i18n.t("persons.need.first"))
    elif lv == 1:
        if cur["v_regularity"] < 0.5:
            needs.append(i18n.t("persons.need.regular_rhythm"))
        if cur["substantive_13w"] < 3:
            needs.append(i18n.tn("persons.need.substantive", 3 - cur["substantive_13w"]))
    else:
        if cur["v_regularity"] < 1:
            needs.append(i18n.t("persons.need.bearer_rhythm"))
        if cur["checkins_26w"] < 2:
            needs.append(i18n.tn("persons.need.checkins", 2 - cur["checkins_26w"]))
        if cur["online_13w"] < 6:
            needs.append(i18n.tn("persons.need.online", 6 - cur["online_13w"]))
        if cur["counterparts_13w"] < 3:
            needs.append(i18n.tn("persons.need.counterparts", 3 - cur["counterparts_13w"]))
        if cur["first_week"] is not None and (cur["week"] - cur["first_week"]).days < 13 * 7:
            needs.append(i18n.t("persons.need.tenure"))
    return {"level": target, "needs": needs}


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
            why = i18n.tn(f"persons.new.{c if c in ('offline', 'light') else 'acts'}", new)
        elif d < 0:
            why = i18n.t("persons.decay") if c not in ("regularity", "breadth") else i18n.t("persons.left_window")
        else:
            why = i18n.t("persons.window_moved")
        delta = ("+" if d > 0 else "-") + i18n.num(abs(d), 1)
        out.append({"component": c, "delta": round(d, 1), "reason": why,
                    "text": i18n.t("persons.change", delta=delta, label=i18n.t(f"persons.label.{c}"), why=why)})
    return out


i18n.register({k: {"en": en, "fr": fr} for k, (en, fr) in {
    "persons.no_act": ("no act in the lookback window", "aucun acte sur la période observée"),
    "persons.nothing": ("nothing", "rien"),
    "persons.and": (" and ", " et "),
    "persons.n.post": ("{n} post|{n} posts", "{n} publication|{n} publications"),
    "persons.n.comment": ("{n} comment|{n} comments", "{n} commentaire|{n} commentaires"),
    "persons.n.reply": ("{n} reply|{n} replies", "{n} réponse|{n} réponses"),
    "persons.n.message": ("{n} message|{n} messages", "{n} message|{n} messages"),
    "persons.n.mention": ("{n} mention|{n} mentions", "{n} mention|{n} mentions"),
    "persons.n.event": ("{n} event|{n} events", "{n} événement|{n} événements"),
    "persons.n.person": ("{n} person|{n} people", "{n} personne|{n} personnes"),
    "persons.n.channel": ("{n} channel|{n} channels", "{n} canal|{n} canaux"),
    "persons.n.light": ("{n} like/share/follow|{n} likes/shares/follows",
                        "{n} j'aime, partage ou abonnement|{n} j'aime, partages ou abonnements"),
    "persons.as.volunteer": ("{n} as volunteer", "{n} comme bénévole"),
    "persons.as.speak": ("{n} as speaker", "{n} comme intervenant"),
    "persons.as.host": ("{n} as host", "{n} comme organisateur"),
    "persons.note.offline": ("x_off = {x} ({events})", "x_off = {x} ({events})"),
    "persons.note.offline_roles": ("x_off = {x} ({events}; {roles})", "x_off = {x} ({events}, dont {roles})"),
    "persons.note.conversation": ("x_conv = {x} ({parts})", "x_conv = {x} ({parts})"),
    "persons.note.reciprocity": ("x_rec = {x} ({people})", "x_rec = {x} ({people})"),
    "persons.note.reciprocity_when": ("x_rec = {x} ({people}; {when})", "x_rec = {x} ({people} ; {when})"),
    "persons.ago.now": ("last exchange this week", "dernier échange cette semaine"),
    "persons.ago.one": ("last exchange {ages} week ago|last exchange {ages} weeks ago",
                        "dernier échange il y a {ages} semaine|dernier échange il y a {ages} semaines"),
    "persons.ago.many": ("last exchanges {ages} week ago|last exchanges {ages} weeks ago",
                         "derniers échanges il y a {ages} semaine|derniers échanges il y a {ages} semaines"),
    "persons.note.regularity": ("{on}/{w} weeks online (full at {full_on}); {off}/{m} months offline "
                                "(full at {full_off})",
                                "{on}/{w} semaines en ligne (maximum dès {full_on}) ; {off}/{m} mois hors-ligne "
                                "(maximum dès {full_off})"),
    "persons.note.breadth": ("{channels}: {names}", "{channels} : {names}"),
    "persons.offline_channel": ("offline", "hors-ligne"),
    "persons.no_channel": ("no channel", "aucun canal"),
    "persons.note.light": ("x_light = {x} ({signals} in the lookback)",
                           "x_light = {x} ({signals} sur la période observée)"),
    "persons.need.first": ("one substantive act (a comment, a reply, a post, a message or a check-in) in 13 weeks",
                           "une vraie contribution (un commentaire, une réponse, une publication, un message ou une "
                           "présence à un événement) en 13 semaines"),
    "persons.need.regular_rhythm": ("activity in 4 of the last 13 weeks, or attendance in 2 of the last 6 months",
                                    "de l'activité 4 semaines sur les 13 dernières, ou une présence 2 mois sur les "
                                    "6 derniers"),
    "persons.need.substantive": ("{n} more substantive act in 13 weeks|{n} more substantive acts in 13 weeks",
                                 "encore {n} vraie contribution en 13 semaines|encore {n} vraies contributions en "
                                 "13 semaines"),
    "persons.need.bearer_rhythm": ("activity in 7 of the last 13 weeks, or attendance in 4 of the last 6 months",
                                   "de l'activité 7 semaines sur les 13 dernières, ou une présence 4 mois sur les "
                                   "6 derniers"),
    "persons.need.checkins": ("{n} more check-in in 26 weeks|{n} more check-ins in 26 weeks",
                              "encore {n} présence à un événement en 26 semaines|encore {n} présences à des "
                              "événements en 26 semaines"),
    "persons.need.online": ("{n} more online contribution in 13 weeks|{n} more online contributions in 13 weeks",
                            "encore {n} contribution en ligne en 13 semaines|encore {n} contributions en ligne en "
                            "13 semaines"),
    "persons.need.counterparts": ("exchanges with 3 different people ({n} more reciprocated counterpart)|"
                                  "exchanges with 3 different people ({n} more reciprocated counterparts)",
                                  "des échanges avec 3 personnes différentes (encore {n} personne avec qui l'échange "
                                  "est réciproque)|des échanges avec 3 personnes différentes (encore {n} personnes "
                                  "avec qui l'échange est réciproque)"),
    "persons.need.tenure": ("13 weeks of tenure", "13 semaines d'ancienneté"),
    "persons.new.acts": ("{n} new act this week|{n} new acts this week",
                         "{n} nouvelle contribution cette semaine|{n} nouvelles contributions cette semaine"),
    "persons.new.offline": ("{n} new act this week|{n} new acts this week",
                            "{n} nouvelle présence cette semaine|{n} nouvelles présences cette semaine"),
    "persons.new.light": ("{n} new act this week|{n} new acts this week",
                          "{n} nouveau j'aime, partage ou abonnement cette semaine|{n} nouveaux j'aime, partages ou "
                          "abonnements cette semaine"),
    "persons.decay": ("nothing new this week: decay", "rien de nouveau cette semaine, l'effet s'estompe"),
    "persons.left_window": ("an active week or channel left the window",
                            "une semaine active ou un canal est sorti de la période prise en compte"),
    "persons.window_moved": ("window moved", "la période prise en compte a avancé"),
    "persons.change": ("{delta} {label}: {why}", "{delta} {label} : {why}"),
    "persons.label.offline": ("Offline presence", "Présence hors-ligne"),
    "persons.label.conversation": ("Conversation", "Conversation"),
    "persons.label.reciprocity": ("Reciprocity", "Réciprocité"),
    "persons.label.regularity": ("Regularity", "Régularité"),
    "persons.label.breadth": ("Breadth", "Multicanal"),
    "persons.label.light": ("Light signals", "Signaux légers"),
    "persons.err.several": ("'{who}' matches several people: {names}; give a person id",
                            "« {who} » désigne plusieurs personnes : {names} ; donnez un identifiant de personne"),
    "persons.err.nobody": ("nobody matches '{who}' (give a person id, an e-mail/handle, or a name)",
                           "personne ne correspond à « {who} » (donnez un identifiant de personne, une adresse "
                           "e-mail ou un pseudo, ou un nom)"),
    "persons.err.sort": ("cannot sort people by '{sort}' ({known})", "impossible de trier les personnes par "
                         "« {sort} » ({known})"),
    "persons.err.level": ("unknown level '{name}' ({known})", "niveau inconnu : « {name} » ({known})"),
    "persons.err.role": ("unknown role '{name}' ({known})", "rôle inconnu : « {name} » ({known})"),
}.items()})
