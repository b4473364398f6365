"""Who is one person: the rules' groups and the human decisions, resolved into ``person_id``.

The person of every identity is *derived*, never patched: each run puts together

1. the groups of the deterministic rules (:mod:`.deterministic`),
2. the manual merges still in force,
3. the constraints people decided: a rejected pair is never put together by a rule; a rule
   merge someone undid is a rejected pair; an identity split by hand leaves every rule group
   (it is only merged again by hand; a manual merge decided before the split no longer counts).

Connected components are computed in SQL (label propagation over identity–group
memberships). The few components that hold a rejected pair are redone in Python with a
union–find that refuses any union joining a rejected pair (manual merges first, then rules).
Components then get a person id: a merge keeps the oldest person id; the part of a person
that leaves it gets back its own identity's id, else a new one. People rows nobody points to
any more are removed. Because everything is derived from ``links``, a re-import can never
undo a human decision, and undoing a decision is only marking it undone.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone
from typing import Any

import pyarrow as pa

from ..text import short_hash
from .deterministic import build_groups, run

LIEN = "lien"

RULES = ("email", "url", "declared")
HUMAN_ACTIONS = ("merge", "split", "reject")


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _memberships(con: Any) -> None:
    """``_memb(identity_id, grp, rule, prio)``: rule groups minus split identities, plus manual merges."""
    build_groups(con)
    run(con, """
        CREATE OR REPLACE TEMP TABLE _active AS
        SELECT * FROM links WHERE undone_at IS NULL AND decided_by IS DISTINCT FROM 'lien'
          AND action IN ('merge', 'split', 'reject')
    """)
    run(con, """
        CREATE OR REPLACE TEMP TABLE _memb AS
        SELECT identity_id, grp, rule, 1 AS prio FROM _rule_groups
        WHERE identity_id NOT IN (SELECT identity_id FROM _active WHERE action = 'split')
        UNION ALL
        SELECT unnest([m.identity_id, m.other_identity_id]), 'manual:' || m.id, 'manual', 0
        FROM _active m WHERE m.action = 'merge' AND NOT EXISTS (
            SELECT 1 FROM _active s WHERE s.action = 'split' AND s.decided_at > m.decided_at
              AND s.identity_id IN (m.identity_id, m.other_identity_id))
    """)
    run(con, "DELETE FROM _memb WHERE identity_id NOT IN (SELECT id FROM identities)")
    # pairs that must stay apart: rejected suggestions, rule merges someone undid
    run(con, """
        CREATE OR REPLACE TEMP TABLE _apart AS
        SELECT identity_id AS a, other_identity_id AS b FROM _active WHERE action = 'reject'
        UNION SELECT identity_id, other_identity_id FROM links
        WHERE decided_by = 'lien' AND action = 'merge' AND undone_at IS NOT NULL AND other_identity_id IS NOT NULL
    """)


def _components(con: Any) -> None:
    """``_comp(identity_id, comp)`` for every identity, by label propagation."""
    run(con, """CREATE OR REPLACE TEMP TABLE _lab AS
                   SELECT DISTINCT identity_id AS id, identity_id AS label FROM _memb""")
    while True:
        run(con, """
            CREATE OR REPLACE TEMP TABLE _lab2 AS
            WITH g AS (SELECT m.grp, min(l.label) AS label FROM _memb m JOIN _lab l ON l.id = m.identity_id GROUP BY 1)
            SELECT l.id, least(l.label, min(g.label)) AS label
            FROM _lab l JOIN _memb m ON m.identity_id = l.id JOIN g ON g.grp = m.grp GROUP BY l.id, l.label
        """)
        changed = con.execute("""SELECT count(*) FROM _lab2 n JOIN _lab o ON o.id = n.id
                                 WHERE n.label <> o.label""").fetchall()[0][0]
        run(con, "CREATE OR REPLACE TEMP TABLE _lab AS SELECT * FROM _lab2")
        if not changed:
            break
    run(con, """
        CREATE OR REPLACE TEMP TABLE _comp AS
        SELECT i.id AS identity_id, coalesce(l.label, i.id) AS comp FROM identities i LEFT JOIN _lab l ON l.id = i.id
    """)
    for t in ("_lab", "_lab2"):
        run(con, f"DROP TABLE IF EXISTS {t}")
    _split_conflicts(con)


def _split_conflicts(con: Any) -> None:
    """Redo the components that hold a pair that must stay apart, refusing such unions."""
    bad = [r[0] for r in con.execute("""
        SELECT DISTINCT ca.comp FROM _apart p JOIN _comp ca ON ca.identity_id = p.a
        JOIN _comp cb ON cb.identity_id = p.b WHERE ca.comp = cb.comp""").fetchall()]
    if not bad:
        return
    members = con.execute("""
        SELECT c.identity_id, m.grp, m.prio FROM _comp c JOIN _memb m USING (identity_id)
        WHERE c.comp IN (SELECT unnest(?)) ORDER BY m.prio, m.grp, c.identity_id""", [bad]).fetchall()
    apart: dict[str, set[str]] = defaultdict(set)
    for a, b in con.execute("SELECT a, b FROM _apart").fetchall():
        apart[a].add(b)
        apart[b].add(a)
    parent: dict[str, str] = {}
    sets: dict[str, set[str]] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        sets.setdefault(x, {x})
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(x: str, y: str, force: bool) -> None:
        rx, ry = find(x), find(y)
        if rx == ry:
            return
        small, big = (sets[rx], sets[ry]) if len(sets[rx]) <= len(sets[ry]) else (sets[ry], sets[rx])
        if not force and any(apart[m] & big for m in small if m in apart):
            return
        root, other = (rx, ry) if rx < ry else (ry, rx)
        parent[other] = root
        sets[root] |= sets.pop(other)

    groups: dict[tuple[int, str], list[str]] = defaultdict(list)
    for ident, grp, prio in members:
        groups[(prio, grp)].append(ident)
        find(ident)
    for (prio, _grp), ids in sorted(groups.items()):
        if len(ids) > 200:  # a huge group: chain it (pairs would cost too much)
            for a, b in zip(ids, ids[1:]):
                union(a, b, prio == 0)
            continue
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                union(a, b, prio == 0)
    table = pa.table({"identity_id": list(parent), "comp": [min(sets[find(x)]) for x in parent]})
    con.register("_redone", table)
    try:
        run(con, """UPDATE _comp SET comp = r.comp FROM _redone r WHERE r.identity_id = _comp.identity_id""")
    finally:
        con.unregister("_redone")


def _assign(con: Any, now: datetime) -> list[tuple[str, str | None, str]]:
    """Give each changed component a person id; returns (identity, old person, new person) changes."""
    rows = con.execute("""
        WITH x AS (SELECT c.comp, i.person_id FROM _comp c JOIN identities i ON i.id = c.identity_id),
        multi AS (SELECT comp FROM x GROUP BY comp HAVING count(DISTINCT person_id) > 1 OR count(person_id) < count(*)),
        shared AS (SELECT person_id FROM x GROUP BY person_id HAVING count(DISTINCT comp) > 1),
        changed AS (SELECT comp FROM multi UNION SELECT comp FROM x WHERE person_id IN (SELECT person_id FROM shared)
                    UNION SELECT comp FROM x WHERE person_id NOT IN (SELECT id FROM people))
        SELECT c.comp, i.id, i.person_id, coalesce(i.source_id, 0), p.created_at
        FROM _comp c JOIN identities i ON i.id = c.identity_id LEFT JOIN people p ON p.id = i.person_id
        WHERE c.comp IN (SELECT comp FROM changed)
        ORDER BY c.comp, coalesce(i.source_id, 0), i.id
    """).fetchall()
    if not rows:
        return []
    comps: dict[str, list[tuple[str, str | None, int, Any]]] = defaultdict(list)
    for comp, ident, pid, src, created in rows:
        comps[comp].append((ident, pid, src, created))
    # who may keep each contested person id: its home identity's part, else the biggest part
    claims: dict[str, list[tuple[bool, int, str, str]]] = defaultdict(list)
    created_at: dict[str, Any] = {}
    for comp, mem in comps.items():
        count: dict[str, int] = defaultdict(int)
        for ident, pid, _src, created in mem:
            if pid is not None and created is not None:
                count[pid] += 1
                created_at[pid] = created
        ids = {m[0] for m in mem}
        for pid, n in count.items():
            claims[pid].append((pid in ids, n, comp, min(ids)))
    owner = {pid: sorted(c, key=lambda c: (not c[0], -c[1], c[3]))[0][2] for pid, c in claims.items()}
    won: dict[str, list[str]] = defaultdict(list)
    for pid, comp in owner.items():
        won[comp].append(pid)
    in_use = {r[0] for r in con.execute("""
        SELECT DISTINCT i.person_id FROM identities i JOIN _comp c ON c.identity_id = i.id
        WHERE c.comp NOT IN (SELECT unnest(?)) AND i.person_id IS NOT NULL""", [list(comps)]).fetchall()}
    chosen: dict[str, str] = {}
    for comp, mem in comps.items():
        if won[comp]:
            pid = min(won[comp], key=lambda p: (created_at[p], p))
            chosen[comp] = pid
            in_use.add(pid)
    for comp, mem in comps.items():
        if comp in chosen:
            continue
        pid = next((m[0] for m in mem if m[0] not in in_use and m[0] not in owner), None)
        pid = pid or short_hash("person", *sorted(m[0] for m in mem))
        chosen[comp] = pid
        in_use.add(pid)
    changes = [(ident, pid, chosen[comp]) for comp, mem in comps.items() for ident, pid, _s, _c in mem
               if pid != chosen[comp]]
    if changes:
        _apply(con, changes, now)
    return changes


def _apply(con: Any, changes: list[tuple[str, str | None, str]], now: datetime) -> None:
    table = pa.table({"identity_id": [c[0] for c in changes], "old": [c[1] for c in changes],
                      "new": [c[2] for c in changes]})
    con.register("_changes", table)
    try:
        run(con, "CREATE OR REPLACE TEMP TABLE _chg AS SELECT * FROM _changes")
    finally:
        con.unregister("_changes")
    run(con, "UPDATE identities SET person_id = c.new FROM _chg c WHERE c.identity_id = identities.id")
    # new people: named after their first identity with a name
    run(con, """
        INSERT INTO people (id, display_name, role, tags, created_at)
        SELECT c.new, arg_min(i.display_name, (coalesce(i.source_id, 0), i.id)) FILTER (WHERE i.display_name IS NOT NULL),
               CASE WHEN bool_and(i.is_bot) THEN 'bot' ELSE 'community' END,
               list_distinct(flatten(list(coalesce(p.tags, [])))), ?
        FROM _chg c JOIN identities i ON i.id = c.identity_id LEFT JOIN people p ON p.id = c.old
        WHERE c.new NOT IN (SELECT id FROM people) GROUP BY c.new
    """, [now])
    # survivors keep their row; tags of the people they absorb come along
    run(con, """
        UPDATE people SET tags = list_distinct(coalesce(people.tags, []) || m.tags) FROM (
            SELECT c.new, list_distinct(flatten(list(coalesce(p.tags, [])))) AS tags
            FROM _chg c JOIN people p ON p.id = c.old GROUP BY c.new) m
        WHERE people.id = m.new AND len(m.tags) > 0
    """)
    run(con, """DELETE FROM people WHERE id IN (SELECT old FROM _chg)
                   AND id NOT IN (SELECT person_id FROM identities WHERE person_id IS NOT NULL)""")


def _record(con: Any, changes: list[tuple[str, str | None, str]], now: datetime) -> int:
    """A ``links`` row (decided by lien) for each old person a rule brought into another."""
    if not changes:
        return 0
    rows = con.execute("""
        WITH moved AS (SELECT c.identity_id, c.old, c.new FROM _chg c),
        pairs AS (
            SELECT m.identity_id AS a, b.identity_id AS b, ga.rule, ga.grp, m.old, m.new
            FROM moved m JOIN _memb ga ON ga.identity_id = m.identity_id AND ga.prio = 1
            JOIN _memb b ON b.grp = ga.grp AND b.identity_id <> m.identity_id
            JOIN identities ib ON ib.id = b.identity_id AND ib.person_id = m.new
            LEFT JOIN _chg cb ON cb.identity_id = b.identity_id
            WHERE coalesce(cb.old, ib.person_id) IS DISTINCT FROM m.old
        )
        SELECT arg_min(a, (rule, grp, a, b)), arg_min(b, (rule, grp, a, b)), arg_min(rule, (rule, grp, a, b)),
               arg_min(grp, (rule, grp, a, b)), new, old
        FROM pairs GROUP BY old, new ORDER BY 3, 1
    """).fetchall()
    n = 0
    for a, b, rule, grp, new, old in rows:
        if con.execute("""SELECT count(*) FROM links WHERE decided_by = 'lien' AND action = 'merge' AND undone_at IS NULL
                          AND identity_id = ? AND other_identity_id = ? AND person_id = ?""", [a, b, new]).fetchall()[0][0]:
            continue
        value = grp.split(":", 1)[1]
        reason = {"email": "same e-mail address {v}", "url": "same profile URL {v}",
                  "declared": "an account declares {v}"}[rule].format(v=value)
        run(con, """INSERT INTO links (id, action, identity_id, other_identity_id, person_id, previous_person_id,
                       rule, reason, decided_by, decided_at) VALUES (nextval('link_ids'), 'merge', ?, ?, ?, ?, ?, ?, ?, ?)""",
                    [a, b, new, old, rule, reason, LIEN, now])
        n += 1
    return n


def resolve(ws: Any, now: datetime | None = None) -> dict[str, int]:
    """Recompute every identity's person from the rules and the decisions in force."""
    now = now or utcnow()
    con = ws.con
    with ws.transaction():
        _memberships(con)
        _components(con)
        changes = _assign(con, now)
        recorded = _record(con, changes, now)
        if changes:
            from ..config import apply_marks

            apply_marks(ws)
        for t in ("_rule_vals", "_rule_groups", "_active", "_memb", "_apart", "_comp", "_chg"):
            run(con, f"DROP TABLE IF EXISTS {t}")
    return {"moved": len(changes), "rule_links": recorded}


def after_import(ws: Any) -> None:
    """The import hook (:data:`lien.sources.load.AFTER_IMPORT`): texts that bring a forgotten
    person back are scrubbed, then people are recomputed."""
    from .forget import scrub_imported

    scrub_imported(ws)
    resolve(ws)
