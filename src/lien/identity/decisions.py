"""Human decisions about identities: merge, split, reject, undo; and looking people up.

Every decision is a row of ``links`` with who, when and why; the people follow from the
decisions in force (:func:`lien.identity.resolve.resolve`), so a re-import never undoes one.
"""
from __future__ import annotations

import getpass
import os
import re
from datetime import datetime
from typing import Any

from ..errors import NotFound, UsageError
from ..text import norm_key, short_hash
from .deterministic import run
from .resolve import LIEN, resolve, utcnow

_ID_COLS = "i.id, i.channel, i.key, i.display_name, i.email, i.url, i.person_id, i.is_org, i.is_bot"


def _scalar(ws: Any, sql: str, params: list[Any] | None = None) -> Any:
    rows = ws.con.execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None


def who_decides() -> str:
    """The name stored as ``decided_by`` for decisions made from this machine."""
    name = os.environ.get("LIEN_USER")
    if name:
        return name
    try:
        return getpass.getuser() or "someone"
    except Exception:  # noqa: BLE001  (no user name on this system: not worth failing a decision)
        return "someone"


def find(ws: Any, who: str) -> list[dict[str, Any]]:
    """Identities meant by ``who``: an identity id, a person id (all its identities),
    ``channel/key``, a key (handle, e-mail, URL) on any channel, or an e-mail address."""
    w = who.strip()
    for cond, arg in (("i.id = ?", w), ("i.person_id = ?", w), ("i.channel || '/' || i.key = ?", w.lower()),
                      ("i.key = ?", norm_key(w)), ("lower(i.email) = ?", w.lower())):
        rows = ws.rows(f"SELECT {_ID_COLS} FROM identities i WHERE {cond} ORDER BY i.channel, i.key", [arg])
        if rows:
            return rows
    rows = ws.rows(f"""SELECT {_ID_COLS} FROM identities i JOIN people p ON p.id = i.person_id
                       WHERE lower(p.display_name) = lower(?) ORDER BY i.channel, i.key""", [w])
    if rows and len({r["person_id"] for r in rows}) == 1:
        return rows
    if rows:
        raise UsageError(f"'{who}' is the name of several people: {_listing(rows)}; give an identity id or key")
    raise NotFound(f"no identity or person matches '{who}' (give an identity id, channel/key, a key or a person id)")


def _listing(rows: list[dict[str, Any]]) -> str:
    return ", ".join(f"{r['channel']}/{r['key']} ({r['id']})" for r in rows[:8]) + (" …" if len(rows) > 8 else "")


def one_person(ws: Any, who: str) -> str:
    """The person id meant by ``who``."""
    rows = find(ws, who)
    persons = {r["person_id"] for r in rows}
    if len(persons) > 1:
        raise UsageError(f"'{who}' matches identities of several people: {_listing(rows)}; give one id")
    return str(rows[0]["person_id"])


def _representative(ws: Any, who: str) -> dict[str, Any]:
    """One identity standing for ``who`` (its person's first identity when ``who`` is a person)."""
    rows = find(ws, who)
    if len({r["person_id"] for r in rows}) > 1 and not any(r["id"] == who.strip() for r in rows):
        raise UsageError(f"'{who}' matches identities of several people: {_listing(rows)}; give one id")
    exact = [r for r in rows if r["id"] == who.strip()]
    if exact:
        return exact[0]
    home = [r for r in rows if r["id"] == r["person_id"]]
    return home[0] if home else min(rows, key=lambda r: r["id"])


def _identity(ws: Any, who: str) -> dict[str, Any]:
    rows = find(ws, who)
    exact = [r for r in rows if r["id"] == who.strip()]
    if exact:
        return exact[0]
    if len(rows) > 1:
        raise UsageError(f"'{who}' matches several identities: {_listing(rows)}; give one identity id")
    return rows[0]


def _insert(ws: Any, action: str, a: str | None, b: str | None, person: str | None, previous: str | None,
            rule: str, reason: str | None, by: str | None, now: datetime) -> int:
    lid = int(_scalar(ws, "SELECT nextval('link_ids')"))
    run(ws.con, """INSERT INTO links (id, action, identity_id, other_identity_id, person_id, previous_person_id,
                      rule, reason, decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                   [lid, action, a, b, person, previous, rule, reason, by or who_decides(), now])
    return lid


def _follow_up(ws: Any, now: datetime) -> None:
    """People changed: recompute them, then what depends on them (scores)."""
    from ..sources.load import AFTER_IMPORT
    from .resolve import after_import

    resolve(ws, now)
    for hook in AFTER_IMPORT:
        if hook is not after_import:
            hook(ws)


def link(ws: Any, lid: int) -> dict[str, Any]:
    rows = ws.rows("SELECT * FROM links WHERE id = ?", [lid])
    if not rows:
        raise NotFound(f"no decision #{lid}")
    return rows[0]


def merge(ws: Any, a: str, b: str, *, reason: str | None = None, by: str | None = None,
          now: datetime | None = None) -> dict[str, Any]:
    """Make ``a`` and ``b`` one person (the older person id is kept)."""
    now = now or utcnow()
    with ws.transaction():
        ia, ib = _representative(ws, a), _representative(ws, b)
        if ia["person_id"] == ib["person_id"]:
            raise UsageError(f"'{a}' and '{b}' are already one person ({ia['person_id']})")
        lid = _insert(ws, "merge", ia["id"], ib["id"], ia["person_id"], ib["person_id"], "manual", reason, by, now)
        # a merge supersedes earlier rejections between these two people
        run(ws.con, """
            UPDATE links SET undone_at = ? WHERE action = 'reject' AND undone_at IS NULL AND (
                identity_id IN (SELECT id FROM identities WHERE person_id IN (?, ?))
                AND other_identity_id IN (SELECT id FROM identities WHERE person_id IN (?, ?)))""",
                       [now, ia["person_id"], ib["person_id"], ia["person_id"], ib["person_id"]])
        _follow_up(ws, now)
        pid = _scalar(ws, "SELECT person_id FROM identities WHERE id = ?", [ia["id"]])
        run(ws.con, "UPDATE links SET person_id = ? WHERE id = ?", [pid, lid])
    return link(ws, lid)


def split(ws: Any, identity: str, *, reason: str | None = None, by: str | None = None,
          now: datetime | None = None) -> dict[str, Any]:
    """Take one identity out of its person into a new person. Rules never merge it again;
    only a manual merge (or undoing this split) does."""
    now = now or utcnow()
    with ws.transaction():
        ident = _identity(ws, identity)
        others = _scalar(ws, "SELECT count(*) FROM identities WHERE person_id = ? AND id <> ?",
                           [ident["person_id"], ident["id"]])
        if not others:
            raise UsageError(f"{ident['channel']}/{ident['key']} is the only identity of its person: nothing to split")
        lid = int(_scalar(ws, "SELECT nextval('link_ids')"))
        new = short_hash("person", ident["id"], str(lid))
        run(ws.con, """INSERT INTO links (id, action, identity_id, person_id, previous_person_id, rule, reason,
                          decided_by, decided_at) VALUES (?, 'split', ?, ?, ?, 'manual', ?, ?, ?)""",
                       [lid, ident["id"], new, ident["person_id"], reason, by or who_decides(), now])
        run(ws.con, """INSERT INTO people (id, display_name, role, created_at)
                          SELECT ?, display_name, CASE WHEN is_bot THEN 'bot' ELSE 'community' END, ?
                          FROM identities WHERE id = ?""", [new, now, ident["id"]])
        run(ws.con, "UPDATE identities SET person_id = ? WHERE id = ?", [new, ident["id"]])
        _follow_up(ws, now)
    return link(ws, lid)


def reject(ws: Any, a: str, b: str, *, reason: str | None = None, by: str | None = None,
           now: datetime | None = None) -> dict[str, Any]:
    """Record that ``a`` and ``b`` are not one person: no rule merges them and the
    suggestion is never shown again."""
    now = now or utcnow()
    with ws.transaction():
        ia, ib = _representative(ws, a), _representative(ws, b)
        if ia["person_id"] == ib["person_id"]:
            raise UsageError(f"'{a}' and '{b}' are one person now: split one of them instead")
        lid = _insert(ws, "reject", ia["id"], ib["id"], ia["person_id"], ib["person_id"], "manual", reason, by, now)
    return link(ws, lid)


_UNDO = re.compile(r"^undo #(\d+)$")


def undo(ws: Any, link_id: int | None = None, *, reason: str | None = None, by: str | None = None,
         now: datetime | None = None) -> dict[str, Any]:
    """Undo the last human decision still in force, or decision ``link_id`` (a merge lien
    made by a rule, too: the two identities then stay apart). Undoing an undo restores."""
    now = now or utcnow()
    with ws.transaction():
        if link_id is None:
            lid = _scalar(ws, f"""SELECT id FROM links WHERE undone_at IS NULL AND decided_by <> '{LIEN}'
                                AND action IN ('merge', 'split', 'reject') ORDER BY decided_at DESC, id DESC LIMIT 1""")
            if lid is None:
                raise UsageError("no decision to undo")
        else:
            lid = link_id
        target = link(ws, int(lid))
        if target["undone_at"] is not None:
            raise UsageError(f"decision #{lid} was already undone on {target['undone_at']:%Y-%m-%d %H:%M}")
        if target["action"] == "undo":
            m = _UNDO.match(target["rule"] or "")
            if m:
                run(ws.con, "UPDATE links SET undone_at = NULL WHERE id = ?", [int(m.group(1))])
        run(ws.con, "UPDATE links SET undone_at = ? WHERE id = ?", [now, lid])
        uid = _insert(ws, "undo", target["identity_id"], target["other_identity_id"], target["person_id"],
                      target["previous_person_id"], f"undo #{lid}", reason, by, now)
        _follow_up(ws, now)
    return link(ws, uid)


def identities_of(ws: Any, who: str) -> dict[str, Any]:
    """A person's identities with their acts, and the decisions that concern them."""
    pid = one_person(ws, who)
    person = ws.rows("SELECT id, display_name, role, tags, created_at FROM people WHERE id = ?", [pid])
    idents = ws.rows(f"""
        SELECT {_ID_COLS}, count(a.id) AS acts, min(a.ts) AS first, max(a.ts) AS last
        FROM identities i LEFT JOIN activities a ON a.identity_id = i.id
        WHERE i.person_id = ? GROUP BY ALL ORDER BY i.channel, i.key""", [pid])
    decisions = ws.rows("""
        SELECT id, action, identity_id, other_identity_id, person_id, previous_person_id, rule, reason,
               decided_by, decided_at, undone_at FROM links
        WHERE identity_id IN (SELECT id FROM identities WHERE person_id = ?)
           OR other_identity_id IN (SELECT id FROM identities WHERE person_id = ?)
           OR person_id = ? OR previous_person_id = ?
        ORDER BY decided_at, id""", [pid, pid, pid, pid])
    return {"person": person[0] if person else {"id": pid}, "identities": idents, "decisions": decisions}


def decisions(ws: Any, *, include_rules: bool = False, limit: int | None = 50) -> list[dict[str, Any]]:
    """The log of decisions, newest first."""
    where = "" if include_rules else f"WHERE decided_by <> '{LIEN}'"
    lim = f"LIMIT {int(limit)}" if limit else ""
    return ws.rows(f"""SELECT id, action, identity_id, other_identity_id, person_id, previous_person_id, rule, reason,
                       decided_by, decided_at, undone_at FROM links {where} ORDER BY decided_at DESC, id DESC {lim}""")


def timeline(ws: Any, who: str, *, limit: int | None = 100) -> dict[str, Any]:
    """A person's acts across all their accounts, newest first."""
    pid = one_person(ws, who)
    lim = f"LIMIT {int(limit)}" if limit else ""
    acts = ws.rows(f"""
        SELECT a.ts, a.kind, a.channel, i.key AS account, a.title, left(a.text, 200) AS text, a.url, a.id
        FROM activities a JOIN identities i ON i.id = a.identity_id
        WHERE i.person_id = ? ORDER BY a.ts DESC, a.id {lim}""", [pid])
    return {"person_id": pid, "acts": acts}


def timeline_page(ws: Any, who: str, *, n: int, hidden: tuple[str, ...] = (), counted: tuple[str, ...] = (),
                  window: int = 5000) -> dict[str, Any]:
    """The first ``n`` of a person's ``window`` newest acts (those :func:`timeline` lists with
    ``limit=window``) leaving out the ``hidden`` kinds; ``total`` counts the window's acts shown,
    ``counted`` its acts of the ``counted`` kinds. Selected, counted and cut in one query (not
    the window fetched into Python)."""
    pid = one_person(ws, who)
    out = ws.rows(f"""
        WITH w AS (SELECT a.ts, a.kind, a.channel, i.key AS account, a.title, a.text, a.url, a.id,
                          list_contains(?::VARCHAR[], a.kind) AS hide, list_contains(?::VARCHAR[], a.kind) AS cnt
                   FROM activities a JOIN identities i ON i.id = a.identity_id
                   WHERE i.person_id = ? ORDER BY a.ts DESC, a.id LIMIT {int(window)}),
        c AS (SELECT count(*) FILTER (WHERE NOT hide) AS total, count(*) FILTER (WHERE cnt) AS counted FROM w),
        s AS (SELECT ts, kind, channel, account, title, left(text, 200) AS text, url, id FROM w
              WHERE NOT hide ORDER BY ts DESC, id LIMIT {int(n)})
        SELECT c.total, c.counted, s.* FROM c LEFT JOIN s ON true ORDER BY s.ts DESC, s.id""",
        [list(hidden), list(counted), pid])
    total, counted_n = int(out[0]["total"]), int(out[0]["counted"])
    acts = [{k: v for k, v in r.items() if k not in ("total", "counted")} for r in out if r["id"] is not None]
    return {"person_id": pid, "acts": acts, "total": total, "counted": counted_n}
