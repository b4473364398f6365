"""Content: which of our posts start conversations, and which only collect clicks.

Per post of ours (a ``post`` by one of our identities, in the period) in its thread
(``thread_id`` = the post):

* **people**: distinct community people who answered (``comment``/``reply``/``message``/``mention``,
  automatic notices left out);
* **depth**: the longest reply chain under the post (a comment on the post is 1, a reply to it 2 …);
* **newcomers**: people whose first substantive act ever was in that thread;
* **our replies**: our own answers in the thread;
* **likes** and **shares**: shown as context only, never a measure of success.

The summary groups the posts by subject (words of the titles, the categories and tags kept in
``native``) and by format (channel; a question mark in the title or text; a link in the text;
an image or attachment named in ``native``), and tells for each group the share of posts that
started a conversation (≥ 1 person answered) and the share that only collected clicks (likes or
shares, nobody answered). Groups of fewer than 2 posts are left out.

Thread depth needs a recursive query, which Ibis does not express: this module is written in
SQL over the workspace tables (portable SQL: a recursive CTE, no engine-specific function).
"""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from .. import i18n
from .base import parse_date, resolve_as_of
from .responsiveness import NOTICE_TYPES, period_end

STOP = set("""the and for with from that this what your you our are was were will have has not but all new how why
into about more than when who which their them they its it's over under after before also just only out
les des une pour avec dans sur par pas plus que qui est son ses aux sont nous vous mais comme tout tous
leur leurs cette ces entre vers chez sans""".split())
MAX_DEPTH = 50


def _notice_sql(alias: str) -> str:
    types = ", ".join(f"'{t}'" for t in NOTICE_TYPES)
    return (f"coalesce(json_extract_string({alias}.native, '$.type') IN ({types}), false) OR "
            f"coalesce(json_extract_string({alias}.native, '$.comment_type') IN ({types}), false)")


def posts(ws: Any, as_of: str | date | None = None, *, since: str | date | None = None,
          channel: str | None = None) -> list[dict[str, Any]]:
    """Our posts of the period (default: the 13 weeks ending with the as-of week), newest first,
    with the conversation each sparked."""
    week = resolve_as_of(ws, as_of)
    end = period_end(week)
    start = datetime.combine(parse_date(since, "--since"), datetime.min.time()) if since else end - timedelta(weeks=13)
    params: list[Any] = [end, start, end]
    ch = ""
    if channel:
        ch = "AND a.channel = ?"
        params.append(channel)
    rows = ws.rows(f"""
        WITH RECURSIVE who AS (
            SELECT i.id AS identity_id, coalesce(i.person_id, i.id) AS person_id,
                   i.is_org OR coalesce(p.role, 'community') = 'staff' AS us,
                   i.is_bot OR coalesce(p.role, 'community') = 'bot' AS bot
            FROM identities i LEFT JOIN people p ON p.id = i.person_id),
        acts AS (
            SELECT a.*, w.person_id, coalesce(w.us, false) AS us, coalesce(w.bot, false) AS bot,
                   ({_notice_sql('a')}) AS notice
            FROM activities a LEFT JOIN who w ON w.identity_id = a.identity_id WHERE a.ts < ?),
        ours AS (
            SELECT id, channel, ts, url, title, text, native FROM acts a
            WHERE a.us AND a.kind = 'post' AND a.ts >= ? AND a.ts < ? {ch}),
        thread AS (
            SELECT a.* FROM acts a JOIN ours o ON a.thread_id = o.id WHERE a.id <> o.id),
        chain(id, thread_id, depth) AS (
            SELECT t.id, t.thread_id, 1 FROM thread t
            WHERE t.in_reply_to = t.thread_id OR t.in_reply_to IS NULL
            UNION ALL
            SELECT t.id, t.thread_id, c.depth + 1 FROM thread t JOIN chain c ON t.in_reply_to = c.id
            WHERE c.depth < {MAX_DEPTH}),
        firsts AS (
            SELECT person_id, arg_min(id, ts) AS first_id FROM acts
            WHERE kind IN ('post', 'comment', 'reply', 'message', 'mention') AND NOT notice AND person_id IS NOT NULL
            GROUP BY person_id),
        stats AS (
            SELECT t.thread_id,
                count(DISTINCT t.person_id) FILTER (WHERE NOT t.us AND NOT t.bot AND NOT t.notice
                    AND t.kind IN ('comment', 'reply', 'message', 'mention')) AS people,
                count(*) FILTER (WHERE NOT t.us AND NOT t.bot AND NOT t.notice
                    AND t.kind IN ('comment', 'reply', 'message', 'mention')) AS answers,
                count(DISTINCT t.person_id) FILTER (WHERE NOT t.us AND NOT t.bot AND f.first_id = t.id) AS newcomers,
                count(*) FILTER (WHERE t.us AND NOT t.notice AND t.kind IN ('comment', 'reply', 'message')) AS our_replies,
                count(*) FILTER (WHERE t.kind = 'like') AS likes,
                count(*) FILTER (WHERE t.kind = 'share') AS shares
            FROM thread t LEFT JOIN firsts f ON f.person_id = t.person_id
            GROUP BY t.thread_id),
        depth AS (SELECT c.thread_id, max(c.depth) AS depth FROM chain c JOIN thread t ON t.id = c.id
                  WHERE t.kind IN ('comment', 'reply', 'message', 'mention') AND NOT t.notice GROUP BY c.thread_id)
        SELECT o.id, o.channel, o.ts, o.url, o.title, o.text, CAST(o.native AS VARCHAR) AS native,
               coalesce(s.people, 0) AS people, coalesce(s.answers, 0) AS answers,
               coalesce(d.depth, 0) AS depth, coalesce(s.newcomers, 0) AS newcomers,
               coalesce(s.our_replies, 0) AS our_replies, coalesce(s.likes, 0) AS likes,
               coalesce(s.shares, 0) AS shares
        FROM ours o LEFT JOIN stats s ON s.thread_id = o.id LEFT JOIN depth d ON d.thread_id = o.id
        ORDER BY o.ts DESC, o.id""", params)
    for r in rows:
        r["started_conversation"] = r["people"] > 0
        r["clicks_only"] = r["people"] == 0 and (r["likes"] + r["shares"]) > 0
    return rows


def _features(p: dict[str, Any]) -> set[tuple[str, str]]:
    import orjson

    out: set[tuple[str, str]] = {("channel", p["channel"])}
    for w in re.findall(r"[^\W\d_]{4,}", (p["title"] or "").lower()):
        if w not in STOP:
            out.add(("word", w))
    native: dict[str, Any] = {}
    if p["native"]:
        try:
            native = orjson.loads(p["native"])
        except orjson.JSONDecodeError:
            native = {}
    for key in ("categories", "tags", "hashtags"):
        v = native.get(key) if isinstance(native, dict) else None
        if isinstance(v, str):
            v = v.split(",")
        for c in v if isinstance(v, list) else []:
            if isinstance(c, str) and c.strip():
                out.add(("category", c.strip().lower()))
    body = f"{p['title'] or ''} {p['text'] or ''}"
    if "?" in body:
        out.add(("format", "question"))
    if re.search(r"https?://", p["text"] or ""):
        out.add(("format", "link"))
    if re.search(r'"(attachments?|images?|photos?|media|enclosures?)"\s*:\s*[\[{"]', p["native"] or ""):
        out.add(("format", "image"))
    return out


def content(ws: Any, as_of: str | date | None = None, *, since: str | date | None = None,
            channel: str | None = None, min_posts: int = 2) -> dict[str, Any]:
    """Per post of ours the conversation it sparked, and what starts conversations."""
    week = resolve_as_of(ws, as_of)
    ps = posts(ws, week, since=since, channel=channel)
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for p in ps:  # one loop per post of ours, not per act
        for f in _features(p):
            groups[f].append(p)
    summary = []
    for (kind, val), members in groups.items():
        if len(members) < min_posts:
            continue
        n = len(members)
        conv = sum(1 for m in members if m["started_conversation"])
        clicks = sum(1 for m in members if m["clicks_only"])
        summary.append({
            "kind": kind, "value": val, "posts": n, "conversations": conv, "clicks_only": clicks,
            "conversation_pct": round(100.0 * conv / n, 1), "clicks_only_pct": round(100.0 * clicks / n, 1),
            "avg_people": round(sum(m["people"] for m in members) / n, 2),
            "avg_likes": round(sum(m["likes"] for m in members) / n, 2),
            "verdict": "conversation" if conv * 2 >= n and conv else "clicks" if clicks * 2 >= n else "quiet",
        })
    summary.sort(key=lambda s: (-s["conversation_pct"], -s["posts"], s["kind"], s["value"]))
    for p in ps:
        p.pop("native", None)
        text = (p.pop("text") or "").replace("\n", " ").strip()
        if not p["title"]:
            p["title"] = text[:80] + ("…" if len(text) > 80 else "")
    return {"as_of": week, "posts": ps, "summary": summary}


i18n.register({
    "content.title": {"en": "{n} posts of ours up to the week ending {week}",
                      "fr": "{n} publications de notre part jusqu'à la semaine finissant le {week}"},
    "content.summary": {"en": "What starts conversations (groups of ≥ 2 posts)",
                        "fr": "Ce qui lance des conversations (groupes d'au moins 2 publications)"},
    "content.col.post": {"en": "post", "fr": "publication"},
    "content.col.people": {"en": "people who answered", "fr": "personnes ayant répondu"},
    "content.col.depth": {"en": "depth", "fr": "profondeur"},
    "content.col.newcomers": {"en": "newcomers", "fr": "nouveaux"},
    "content.col.ours": {"en": "our replies", "fr": "nos réponses"},
    "content.col.likes": {"en": "likes (context)", "fr": "j'aime (contexte)"},
    "content.col.group": {"en": "subject / format", "fr": "sujet / format"},
    "content.col.posts": {"en": "posts", "fr": "publications"},
    "content.col.conv": {"en": "started a conversation", "fr": "ont lancé une conversation"},
    "content.col.clicks": {"en": "clicks only", "fr": "seulement des clics"},
    "content.col.verdict": {"en": "verdict", "fr": "verdict"},
    "content.verdict.conversation": {"en": "starts conversations", "fr": "lance des conversations"},
    "content.verdict.clicks": {"en": "only collects clicks", "fr": "ne récolte que des clics"},
    "content.verdict.quiet": {"en": "quiet", "fr": "silencieux"},
    "content.kind.word": {"en": "word", "fr": "mot"},
    "content.kind.category": {"en": "category", "fr": "catégorie"},
    "content.kind.channel": {"en": "channel", "fr": "canal"},
    "content.kind.format": {"en": "format", "fr": "format"},
    "content.none": {"en": "No post of ours in the period (is lien.toml naming our accounts?).",
                     "fr": "Aucune publication de notre part sur la période (lien.toml nomme-t-il nos comptes ?)."},
})
