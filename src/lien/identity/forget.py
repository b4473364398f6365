"""Privacy: erase one person everywhere (``lien forget``), give one person their data
(``lien export --person``), and keep forgotten people out of later imports.

What forgetting does, in one transaction:

- every row of every table that names one of their ids (person id, identity ids) in a text
  column is deleted (tables are found from the catalogue, not from a list: identities,
  people, links, weekly snapshots, ties, ranks ... whatever other parts of lien add), except
  that acts *addressed* to them stay with ``target_identity_id`` set to null;
- their acts go (``activities.identity_id``);
- their keys, e-mail addresses, profile URLs and names are replaced by ``[forgotten]`` in
  every remaining text column (someone else's reply that quotes them, an event's notes);
- only a tombstone stays: sha256 of each normalised key, e-mail and URL (the loader refuses
  those keys at import), and sha256 of ``name:`` + each name, with the name's word count, so
  that :func:`scrub_imported` can replace their name in texts a re-import brings back.
"""
from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..errors import UsageError
from ..text import norm_key
from .decisions import one_person
from .deterministic import run
from .resolve import utcnow

FORGOTTEN = "[forgotten]"
#: tables forgetting never deletes from by id (only scrubs their text)
_KEEP_ROWS = ("meta", "tombstones", "sources", "events", "goals")
_WORD = r"[^\pL\pN]"
#: other people's own names: somebody else called "Alice Martin" keeps their name
_OWN_NAMES = (("identities", "display_name"), ("people", "display_name"))


def _h(s: str) -> str:
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


def _tables(ws: Any) -> dict[str, list[tuple[str, str]]]:
    """Every base table of the workspace with its (column, type) pairs."""
    out: dict[str, list[tuple[str, str]]] = {}
    for t, c, typ in ws.con.execute("""
            SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema
            WHERE c.table_schema = 'main' AND t.table_type = 'BASE TABLE' AND t.table_catalog = current_database()
            ORDER BY c.table_name, c.ordinal_position""").fetchall():
        out.setdefault(t, []).append((c, typ))
    return out


def _texts(cols: list[tuple[str, str]]) -> list[str]:
    return [c for c, typ in cols if typ in ("VARCHAR", "JSON")]


def _person(ws: Any, who: str) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
    pid = one_person(ws, who)
    idents = ws.rows("SELECT * FROM identities WHERE person_id = ? ORDER BY channel, key", [pid])
    people = ws.rows("SELECT * FROM people WHERE id = ?", [pid])
    return pid, idents, (people[0] if people else {"id": pid})


def preview(ws: Any, who: str) -> dict[str, Any]:
    pid, idents, person = _person(ws, who)
    return {"person_id": pid, "name": person.get("display_name"), "identities": len(idents)}


def _secrets(idents: list[dict[str, Any]], person: dict[str, Any]) -> tuple[list[tuple[str | None, str]], list[str], list[str]]:
    """(channel, normalised key) pairs to tombstone; strings to scrub; names."""
    keys: list[tuple[str | None, str]] = []
    strings: set[str] = set()
    names: set[str] = set()
    for i in idents:
        keys.append((i["channel"], i["key"]))
        strings.add(i["key"])
        for v in (i["email"], i["url"]):
            if v:
                keys.append((None, norm_key(v)))
                strings.add(v.strip())
        for n in (i["display_name"],):
            if n and len(n.strip()) >= 3:
                names.add(n.strip())
        if i["key"].startswith(("http://", "https://")):
            strings.add(i["key"].split("://", 1)[1])
    if person.get("display_name") and len(person["display_name"].strip()) >= 3:
        names.add(person["display_name"].strip())
    for s in list(strings):
        if "@" in s and "/" not in s:  # the obfuscated forms mailing-list archives show
            local, _, domain = s.partition("@")
            strings.add(f"{local} at {domain.replace('.', ' dot ')}")
            strings.add(f"{local} at {domain}")
    return list(dict.fromkeys(keys)), sorted(strings, key=len, reverse=True), sorted(names, key=len, reverse=True)


def _esc(s: str) -> str:
    """Escape for RE2 (DuckDB's regular expressions), which refuses Python's ``\\ ``."""
    return re.sub(r"([\\.^$|?*+()\[\]{}/-])", r"\\\1", s)


def _pattern(strings: list[str], names: list[str]) -> str:
    alts = [_esc(s) for s in strings] + [r"[^\pL\pN]+".join(_esc(w) for w in name_norm(n).split())
                                               for n in names if name_norm(n)]
    return rf"(^|{_WORD})({'|'.join(alts)})({_WORD}|$)"


def forget(ws: Any, who: str, *, now: datetime | None = None) -> dict[str, Any]:
    """Erase a person everywhere; returns what was removed (counts only)."""
    now = now or utcnow()
    with ws.transaction():
        pid, idents, person = _person(ws, who)
        ids = [i["id"] for i in idents]
        keys, strings, names = _secrets(idents, person)
        con = ws.con
        con.register("_gone", pa.table({"id": [pid, *ids]}))
        try:
            run(con, "CREATE OR REPLACE TEMP TABLE _forget_ids AS SELECT DISTINCT id FROM _gone")
        finally:
            con.unregister("_gone")
        tables = _tables(ws)
        acts = con.execute("SELECT count(*) FROM activities WHERE identity_id IN (SELECT id FROM _forget_ids)").fetchall()[0][0]
        run(con, "DELETE FROM activities WHERE identity_id IN (SELECT id FROM _forget_ids)")
        run(con, "UPDATE activities SET target_identity_id = NULL WHERE target_identity_id IN (SELECT id FROM _forget_ids)")
        other_rows = 0
        for table, cols in tables.items():
            if table in _KEEP_ROWS or table == "activities":
                continue
            text_cols = [c for c, typ in cols if typ == "VARCHAR"]
            if not text_cols:
                continue
            cond = " OR ".join(f'"{c}" IN (SELECT id FROM _forget_ids)' for c in text_cols)
            n = con.execute(f'SELECT count(*) FROM "{table}" WHERE {cond}').fetchall()[0][0]
            if n:
                run(con, f'DELETE FROM "{table}" WHERE {cond}')
                if table not in ("identities", "people"):
                    other_rows += n
        scrubbed = _scrub_all(ws, tables, _pattern(strings, names)) if strings or names else 0
        rows = [(ch, _h(k)) for ch, k in keys]
        rows += [(f"(name:{len(name_norm(n).split())})", _h("name:" + name_norm(n))) for n in names if name_norm(n)]
        con.register("_tomb", pa.table({"channel": [r[0] for r in rows], "key_hash": [r[1] for r in rows]}))
        try:
            run(con, """INSERT INTO tombstones (channel, key_hash, forgotten_at)
                           SELECT DISTINCT channel, key_hash, ?::TIMESTAMP FROM _tomb t WHERE NOT EXISTS (
                               SELECT 1 FROM tombstones o WHERE o.key_hash = t.key_hash
                               AND o.channel IS NOT DISTINCT FROM t.channel)""", [now])
        finally:
            con.unregister("_tomb")
        run(con, "DROP TABLE IF EXISTS _forget_ids")
        from ..metrics.sqlcache import forget_stored
        from .decisions import _follow_up

        forget_stored(ws)  # results computed for pages may quote the person

        _follow_up(ws, now)
    return {"person_id": pid, "identities": len(ids), "activities": int(acts), "other_rows": int(other_rows),
            "scrubbed": scrubbed, "tombstones": len(rows)}


def _scrub_all(ws: Any, tables: dict[str, list[tuple[str, str]]], pattern: str) -> int:
    """Replace the pattern by [forgotten] in every text column of every table."""
    n = 0
    for table, cols in tables.items():
        if table in ("meta", "tombstones"):
            continue
        for col, typ in cols:
            if typ not in ("VARCHAR", "JSON") or (table, col) in _OWN_NAMES:
                continue
            val = f'CAST("{col}" AS VARCHAR)'
            new = f"regexp_replace({val}, ?, '\\1{FORGOTTEN}\\3', 'gi')"
            if typ == "JSON":
                new = f"CAST({new} AS JSON)"
            got = ws.con.execute(f'SELECT count(*) FROM "{table}" WHERE regexp_matches({val}, ?, \'i\')',
                                 [pattern]).fetchall()[0][0]
            if got:
                # twice: a match eats the separator its neighbour needs ("Alice, Alice")
                for _ in range(2):
                    run(ws.con, f'UPDATE "{table}" SET "{col}" = {new} WHERE regexp_matches({val}, ?, \'i\')',
                                   [pattern, pattern])
                n += got
    return n


# ------------------------------------------------------------------------------------------
# after an import: texts that come back with a forgotten person's address or name

_EMAILS = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_URLS = r"https?://[^\s<>\"')]+"
#: where a re-import may bring a forgotten person's address or name back: (table, columns, only the latest sources)
_SCRUB = (("activities", ("text", "title", "native"), True), ("events", ("name", "place", "native"), True),
          ("identities", ("native",), False))


def name_norm(name: str) -> str:
    """A name as compared with the words of a text: lower case, words joined by one space."""
    return " ".join(re.findall(r"[^\W_]+", name.lower()))


def scrub_imported(ws: Any) -> int:
    """Replace forgotten people's e-mails, URLs and names in the texts of what the sources
    just imported brought (matched by their hashes; nothing runs when nobody was forgotten)."""
    con = ws.con
    if not con.execute("SELECT count(*) FROM tombstones").fetchall()[0][0]:
        return 0
    lengths = [int(r[0]) for r in con.execute(r"""
        SELECT DISTINCT CAST(regexp_extract(channel, '^\(name:(\d+)\)$', 1) AS INTEGER) FROM tombstones
        WHERE regexp_matches(channel, '^\(name:\d+\)$')""").fetchall()]
    latest = "SELECT id FROM sources WHERE imported_at = (SELECT max(imported_at) FROM sources)"
    done = 0
    for table, cols, only_latest in _SCRUB:
        where = f"source_id IN ({latest})" if only_latest else "true"
        parts = " UNION ALL ".join(f"SELECT id, '{c}' AS col, CAST({c} AS VARCHAR) AS v FROM {table} "
                                   f"WHERE {where} AND {c} IS NOT NULL" for c in cols)
        grams = " UNION ALL ".join(
            f"SELECT id, col, list_transform(range(1, len(w) - {k} + 2), "
            f"lambda i: array_to_string(w[i:i + {k} - 1], ' ')) AS g FROM words" for k in lengths)
        by_name = (f"""UNION ALL SELECT id, col, tok FROM (SELECT id, col, unnest(g) AS tok FROM ({grams}))
                       WHERE sha256('name:' || tok) IN (SELECT key_hash FROM tombstones)""" if lengths else "")
        found = con.execute(rf"""
            WITH t AS ({parts}),
            tokens AS (SELECT id, col, unnest(regexp_extract_all(v, ?) || regexp_extract_all(v, ?)) AS tok FROM t),
            words AS (SELECT id, col, list_filter(string_split_regex(lower(v), '[^\pL\pN]+'), lambda x: x <> '') AS w
                      FROM t),
            hits AS (
                SELECT id, col, tok FROM tokens
                WHERE sha256(lower(tok)) IN (SELECT key_hash FROM tombstones)
                   OR sha256(rtrim(lower(tok), '/')) IN (SELECT key_hash FROM tombstones)
                {by_name})
            SELECT id, col, list(DISTINCT tok) FROM hits GROUP BY ALL""", [_EMAILS, _URLS]).fetchall()
        for ident, col, toks in found:
            val = con.execute(f"SELECT CAST({col} AS VARCHAR) FROM {table} WHERE id = ?", [ident]).fetchall()[0][0]
            alts = [r"[^\w]+".join(re.escape(w) for w in t.split(" ")) if " " in t else re.escape(t)
                    for t in sorted(toks, key=len, reverse=True)]
            pat = re.compile(rf"(?<![^\W_])({'|'.join(alts)})(?![^\W_])", re.IGNORECASE)
            cast = "CAST(? AS JSON)" if col == "native" else "?"
            run(con, f"UPDATE {table} SET {col} = {cast} WHERE id = ?", [pat.sub(FORGOTTEN, val), ident])
        done += len(found)
    return done


# ------------------------------------------------------------------------------------------
# export of one person


def export_person(ws: Any, who: str) -> dict[str, Any]:
    """Everything lien holds about one person, as plain data."""
    pid, idents, person = _person(ws, who)
    ids = [i["id"] for i in idents]
    every = [pid, *ids]
    acts = ws.rows("SELECT * FROM activities WHERE identity_id IN (SELECT unnest(?)) ORDER BY ts, id", [ids])
    addressed = ws.rows("""SELECT id, channel, kind, ts, in_reply_to, thread_id, url FROM activities
                           WHERE target_identity_id IN (SELECT unnest(?)) ORDER BY ts, id""", [ids])
    events = ws.rows("""SELECT * FROM events WHERE id IN (SELECT thread_id FROM activities
                        WHERE identity_id IN (SELECT unnest(?))) ORDER BY starts_at, id""", [ids])
    links = ws.rows("""SELECT * FROM links WHERE identity_id IN (SELECT unnest(?)) OR other_identity_id IN (SELECT unnest(?))
                       OR person_id = ? OR previous_person_id = ? ORDER BY id""", [ids, ids, pid, pid])
    others: dict[str, list[dict[str, Any]]] = {}
    for table, cols in _tables(ws).items():
        if table in _KEEP_ROWS or table in ("identities", "people", "activities", "links"):
            continue
        text_cols = [c for c, typ in cols if typ == "VARCHAR"]
        if not text_cols:
            continue
        cond = " OR ".join(f'"{c}" IN (SELECT unnest(?))' for c in text_cols)
        rows = ws.rows(f'SELECT * FROM "{table}" WHERE {cond}', [every] * len(text_cols))
        if rows:
            others[table] = rows
    sources = ws.rows("""SELECT id, kind, location, imported_at FROM sources WHERE id IN (
                           SELECT source_id FROM activities WHERE identity_id IN (SELECT unnest(?))
                           UNION SELECT source_id FROM identities WHERE id IN (SELECT unnest(?))) ORDER BY id""",
                      [ids, ids])
    return {"exported_at": utcnow(), "person": person, "identities": idents, "activities": acts,
            "acts_addressed_to_them": addressed, "events": events, "decisions": links, "derived": others,
            "sources": sources}


def _default(v: Any) -> Any:
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    return str(v)


def _native(v: Any) -> Any:
    if isinstance(v, str) and v[:1] in "{[":
        try:
            return json.loads(v)
        except ValueError:
            return v
    return v


def write_person(ws: Any, who: str, out: Path) -> dict[str, Any]:
    """Write :func:`export_person` as a JSON file in folder ``out`` (or to the file ``out``
    when it ends in ``.json``); returns the path and the counts."""
    data = export_person(ws, who)
    for key in ("identities", "activities", "events"):
        for row in data[key]:
            if "native" in row:
                row["native"] = _native(row["native"])
    path = out if out.suffix.lower() == ".json" else out / f"person-{data['person']['id']}.json"
    if path.exists() and path.is_dir():
        raise UsageError(f"{path} is a folder")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, default=_default, ensure_ascii=False, indent=2), encoding="utf-8")
    return {"path": str(path), "person_id": data["person"]["id"], "identities": len(data["identities"]),
            "activities": len(data["activities"])}
