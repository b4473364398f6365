"""The deterministic rules: which identities are surely one person.

Each rule puts identities into *groups* (one group per shared value); identities of one
group belong to one person unless a human decided otherwise (see :mod:`.resolve`).

- ``email``: the same e-mail address (``identities.email``, or a key that is an e-mail),
  lower-cased, with pipermail's ``jo at example dot org`` form read as ``jo@example.org``.
- ``url``: the same profile URL (``identities.url`` or a key that is a URL), compared
  without scheme, ``www.``, trailing slash or fragment. A bare site root (no path) is a
  website, not a profile: it never merges by this rule.
- ``declared``: a link an account declares to another of its accounts (Mastodon profile
  fields and ``alsoKnownAs``, a ``website`` in the profile of Twitter, Stack Exchange ...)
  that is another identity's key or profile URL.

Guards against shared values (they are not one person's): no-reply and list addresses; an
e-mail carried by two identities of one channel; a URL carried by three or more identities
of one channel; a link declared by several accounts (an employer's site, a project page);
a link between our own accounts (``is_org``) and somebody else's.
"""
from __future__ import annotations

from typing import Any

#: JSON paths of ``identities.native`` where importers keep links an account declares.
DECLARED_PATHS = ("$.website", "$.alsoKnownAs[*]", "$.fields[*].links[*]", "$.links[*]")



def run(con: Any, sql: str, params: list[Any] | None = None) -> list[Any]:
    """Execute and read the whole result (DuckDB blocks the connection on an unread one)."""
    return con.execute(sql, params or []).fetchall()


_EMAIL_OK = r"^[^@\s<>()\[\],;:]+@[^@\s<>()\[\],;:]+\.[a-z]{2,}$"
_NOT_PERSONAL = r"^(no-?reply|do-?not-?reply|mailer-daemon|nobody|postmaster|bounces?)([+-].*)?@|@(.*\.)?(groups\.io|googlegroups\.com)$|^.*-(bounces|request|owner)@"
_OBF = r"^[^\s@]+\s+(at|\(at\)|\[at\])\s+[^\s@]+(\s+(dot|\(dot\)|\[dot\])\s+[^\s@]+)*$"


def sql_email(expr: str) -> str:
    """SQL: the normalised e-mail in ``expr``, or NULL when it is not a personal address."""
    low = f"lower(trim({expr}))"
    deob = (f"CASE WHEN regexp_matches({low}, '{_OBF}') THEN regexp_replace(regexp_replace({low}, "
            r"'\s+(at|\(at\)|\[at\])\s+', '@'), '\s+(dot|\(dot\)|\[dot\])\s+', '.', 'g') "
            f"ELSE {low} END")
    return (f"(SELECT CASE WHEN regexp_matches(e, '{_EMAIL_OK}') AND NOT regexp_matches(e, '{_NOT_PERSONAL}') "
            f"THEN e END FROM (SELECT {deob} AS e))")


def sql_url(expr: str) -> str:
    """SQL: ``expr`` as a comparable URL (no scheme, www., fragment or trailing slash), or NULL."""
    low = f"lower(trim({expr}))"
    return (f"CASE WHEN {low} LIKE 'http%://%' THEN "
            f"rtrim(regexp_replace(regexp_replace({low}, '^https?://(www\\.)?', ''), '#.*$', ''), '/') END")


def build_groups(con: Any) -> None:
    """Fill the temp table ``_rule_groups(identity_id, grp, rule)`` from the rules."""
    email = sql_email("v")
    run(con, f"""
        CREATE OR REPLACE TEMP TABLE _rule_vals AS
        WITH raw AS (
            SELECT id, channel, is_org, 'email' AS rule, email AS v FROM identities WHERE email IS NOT NULL
            UNION ALL SELECT id, channel, is_org, 'email', key FROM identities WHERE contains(key, '@') OR contains(key, ' at ')
            UNION ALL SELECT id, channel, is_org, 'url', url FROM identities WHERE url IS NOT NULL
            UNION ALL SELECT id, channel, is_org, 'url', key FROM identities WHERE key LIKE 'http%://%'
        )
        SELECT DISTINCT id, channel, is_org, rule,
               CASE WHEN rule = 'email' THEN {email} ELSE {sql_url('v')} END AS value
        FROM raw
    """)
    run(con, "DELETE FROM _rule_vals WHERE value IS NULL")
    # values shared inside one channel are not one person's
    run(con, """
        CREATE OR REPLACE TEMP TABLE _rule_groups AS
        WITH per_channel AS (
            SELECT rule, value, max(n) AS most, sum(n) AS total FROM (
                SELECT rule, value, channel, count(DISTINCT id) AS n FROM _rule_vals GROUP BY ALL) GROUP BY ALL
        ), ok AS (
            SELECT rule, value FROM per_channel
            WHERE total > 1 AND ((rule = 'email' AND most = 1)
                                 OR (rule = 'url' AND most <= 2 AND contains(value, '/')))
        )
        SELECT DISTINCT v.id AS identity_id, v.rule || ':' || v.value AS grp, v.rule
        FROM _rule_vals v JOIN ok USING (rule, value)
    """)
    # links an account declares
    paths = " UNION ALL ".join(
        f"SELECT id, is_org, unnest(json_extract_string(native, '{p}')) AS v FROM identities "
        f"WHERE native IS NOT NULL AND json_type(native) = 'OBJECT'"
        if "*" in p else
        f"SELECT id, is_org, json_extract_string(native, '{p}') AS v FROM identities "
        f"WHERE native IS NOT NULL AND json_type(native) = 'OBJECT'"
        for p in DECLARED_PATHS)
    run(con, f"""
        CREATE OR REPLACE TEMP TABLE _declared AS
        SELECT DISTINCT id, is_org, {sql_url('v')} AS value FROM ({paths}) WHERE v IS NOT NULL
    """)
    run(con, """
        INSERT INTO _rule_groups
        WITH once AS (
            SELECT value FROM _declared WHERE value IS NOT NULL GROUP BY value HAVING count(DISTINCT id) = 1
        ), targets AS (
            SELECT DISTINCT d.id AS declarer, t.id AS target, d.value
            FROM _declared d JOIN once USING (value)
            JOIN _rule_vals t ON t.rule = 'url' AND t.value = d.value AND t.id <> d.id AND t.is_org = d.is_org
        )
        SELECT declarer, 'declared:' || value, 'declared' FROM targets
        UNION SELECT target, 'declared:' || value, 'declared' FROM targets
    """)
    run(con, "DROP TABLE IF EXISTS _declared")
