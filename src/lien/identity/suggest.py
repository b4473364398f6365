"""Suggestions: identities that are probably one person, scored by Splink on DuckDB.

Each identity becomes one record with four features, read in one SQL query:

- ``name``: the display name, lower case, accents off, punctuation as spaces (a Mastodon
  ``@bob@other.example`` gives ``bob``); under 3 letters counts as missing;
- ``handle``: the account's own word: the local part of an e-mail key, the last segment of a
  profile URL, or the handle, with only letters and digits kept (numeric ids count as missing);
- ``email``: the normalised e-mail (see :mod:`.deterministic`);
- ``nameslug``: the name without spaces, compared with the *other* record's handle
  ("Dan Roux" and ``dan.roux``).

Comparisons use edit distance (Levenshtein), which was far more precise than Jaro-Winkler on
e-mails and handles. The model's m and u probabilities are fixed and documented below (a small
community has too few pairs to train on), and u is estimated by random sampling when the
workspace holds enough identities. The prior (two random identities are one person) comes
from the workspace: the share of identity pairs the rules and people already merged.

Blocking keeps the work near-linear: only pairs with the same name, the same handle, the
same e-mail local part, or a name equal to the other's handle are compared.

Pairs already in one person, pairs someone rejected (or whose rule merge someone undid), bots
and our own accounts (``is_org``: lien.toml's ``identities``, merged with nobody) are never
suggested. A pair is shown from :data:`THRESHOLD` on: more likely one person than two, for a
person to decide (the probability is shown with it). A suggestion is per pair of people: the
best-scoring pair of their identities stands for it, with the reasons (the comparison levels
that matched).
"""
from __future__ import annotations

import logging
import math
from typing import Any

from .. import i18n
from ..errors import MissingExtra
from .deterministic import sql_email

#: (comparison, [(level label, m, u)], from the most to the least specific; the last is "else")
LEVELS: dict[str, list[tuple[str, float, float]]] = {
    "name": [("same name", 0.50, 0.0005), ("same first name only", 0.05, 0.005),
             ("name one letter apart", 0.15, 0.001), ("similar name", 0.10, 0.005), ("", 0.20, 0.9885)],
    "handle": [("same handle", 0.30, 0.0002), ("handle one letter apart", 0.10, 0.0005),
               ("handle two letters apart", 0.05, 0.001), ("", 0.55, 0.9983)],
    "email": [("same e-mail", 0.10, 0.00001), ("e-mail one letter apart", 0.05, 0.00005),
              ("e-mail two letters apart", 0.05, 0.0001), ("", 0.80, 0.99984)],
    "cross": [("name matches the other's handle", 0.30, 0.0002), ("", 0.70, 0.9998)],
}
#: the reasons in French (``i18n.t("identity.why." + reason)``)
i18n.register({f"identity.why.{en}": {"en": en, "fr": fr} for en, fr in (
    ("same name", "même nom"), ("same first name only", "même prénom seulement"),
    ("name one letter apart", "nom à une lettre près"), ("similar name", "nom proche"),
    ("same handle", "même pseudo"), ("handle one letter apart", "pseudo à une lettre près"),
    ("handle two letters apart", "pseudo à deux lettres près"), ("same e-mail", "même adresse e-mail"),
    ("e-mail one letter apart", "adresse e-mail à une lettre près"),
    ("e-mail two letters apart", "adresse e-mail à deux lettres près"),
    ("name matches the other's handle", "le nom correspond au pseudo de l'autre"))})
#: the default lowest match probability shown: a pair more likely one person than two
THRESHOLD = 0.5
MIN_FOR_TRAINING = 5000  # identities; below this the fixed u probabilities are kept
#: random pairs sampled to estimate u (1e6 took ~30 s on 100k identities on 2 cores; 3e5 about 10 s)
TRAINING_PAIRS = 300_000

#: the identities suggestions are made from (the features and their fingerprint): no bots, none of ours
_KEPT = "FROM identities i LEFT JOIN people p ON p.id = i.person_id " \
        "WHERE NOT i.is_bot AND NOT i.is_org AND coalesce(p.role, '') <> 'bot'"
_EMAIL_OF = sql_email("coalesce(i.email, CASE WHEN contains(i.key, '@') AND NOT starts_with(i.key, 'http') THEN i.key END)")
_FEATURES = f"""
    WITH base AS (
        SELECT i.id AS unique_id, i.person_id, i.channel, i.key, i.display_name,
               strip_accents(lower(trim(coalesce(i.display_name, '')))) AS n0,
               {_EMAIL_OF} AS email,
               CASE WHEN starts_with(i.key, 'http') THEN regexp_extract(rtrim(i.key, '/'), '([^/]+)$', 1)
                    WHEN contains(i.key, '@') THEN split_part(i.key, '@', 1) ELSE i.key END AS h0
        {_KEPT}
    ), clean AS (
        SELECT *, trim(regexp_replace(regexp_replace(
                      CASE WHEN regexp_matches(n0, '^@[^@\\s]+@') THEN split_part(substr(n0, 2), '@', 1) ELSE n0 END,
                      '[^a-z0-9]+', ' ', 'g'), '\\s+', ' ', 'g')) AS n1,
               regexp_replace(strip_accents(lower(h0)), '[^a-z0-9]+', '', 'g') AS h1
        FROM base
    )
    SELECT unique_id, person_id, channel, key, display_name, email,
           CASE WHEN length(n1) >= 3 THEN n1 END AS name,
           CASE WHEN length(replace(n1, ' ', '')) >= 3 THEN replace(n1, ' ', '') END AS nameslug,
           CASE WHEN length(h1) >= 3 AND NOT regexp_matches(h1, '^[0-9]+$') THEN h1 END AS handle,
           CASE WHEN email IS NOT NULL THEN split_part(email, '@', 1) END AS email_local
    FROM clean
"""


def _splink() -> Any:
    try:
        import splink  # noqa: F401
        import splink.comparison_library as cl
        from splink import Linker, SettingsCreator, block_on
        from splink.backends.duckdb import DuckDBAPI
    except ModuleNotFoundError as e:
        raise MissingExtra("splink", "identity") from e
    return cl, Linker, SettingsCreator, block_on, DuckDBAPI


def _comparisons(cl: Any) -> list[Any]:
    def conf(c: Any, name: str) -> Any:
        return c.configure(m_probabilities=[lv[1] for lv in LEVELS[name]],
                           u_probabilities=[lv[2] for lv in LEVELS[name]])

    # a one-word name ("eric") says little: it is often the handle too
    name = cl.CustomComparison(output_column_name="name", comparison_levels=[
        {"sql_condition": "name_l IS NULL OR name_r IS NULL", "label_for_charts": "null", "is_null_level": True},
        {"sql_condition": "name_l = name_r AND contains(name_l, ' ')", "label_for_charts": "same name"},
        {"sql_condition": "name_l = name_r", "label_for_charts": "same single word"},
        {"sql_condition": "levenshtein(name_l, name_r) <= 1", "label_for_charts": "1 apart"},
        {"sql_condition": "levenshtein(name_l, name_r) <= 3", "label_for_charts": "3 apart"},
        {"sql_condition": "ELSE", "label_for_charts": "else"},
    ])
    # the name matches the other's handle, and that handle is not just its own name again
    cross = cl.CustomComparison(output_column_name="cross", comparison_levels=[
        {"sql_condition": "(nameslug_l IS NULL OR handle_r IS NULL) AND (nameslug_r IS NULL OR handle_l IS NULL)",
         "label_for_charts": "null", "is_null_level": True},
        {"sql_condition": "(nameslug_l = handle_r AND nameslug_r IS DISTINCT FROM handle_r) "
                          "OR (nameslug_r = handle_l AND nameslug_l IS DISTINCT FROM handle_l)",
         "label_for_charts": "cross"},
        {"sql_condition": "ELSE", "label_for_charts": "else"},
    ])
    return [conf(name, "name"),
            conf(cl.LevenshteinAtThresholds("handle", [1, 2]), "handle"),
            conf(cl.LevenshteinAtThresholds("email", [1, 2]), "email"),
            conf(cross, "cross")]


def _prior(ws: Any, n: int) -> float:
    """Share of identity pairs already one person (at least one pair in a thousand identities)."""
    same = ws.con.execute("""SELECT coalesce(sum(k * (k - 1) / 2), 0) FROM (
                                SELECT count(*) AS k FROM identities GROUP BY person_id)""").fetchall()[0][0]
    pairs = max(n * (n - 1) / 2, 1)
    return float(min(0.5, max(same, n / 1000, 1) / pairs))


#: the stored predictions (per pair of identities, without the people they belong to) and the
#: meta key holding what they were computed from
TABLE = "_identity_suggestions"
_META_KEY = "identity_suggestions"
_VERSION = "2"  # 2: our own accounts left out
#: the stored predictions keep every pair at least this likely (under the prior of the day):
#: a read with a lower threshold, or after the prior fell below what that floor covers, runs Splink
_FLOOR = 0.1


def _logit2(p: float) -> float:
    return math.log2(p / (1 - p))


def _fingerprint(ws: Any) -> tuple[int, str]:
    """The number of identities suggestions are made from, and what the predictions depend on:
    the columns the features are read from (not whose person an identity is: merges and
    rejections apply when reading), and the version of this module's model."""
    n, h = ws.con.execute(f"""
        SELECT count(*), coalesce(sum(hash(i.id, i.display_name, i.key, i.email, i.channel)), 0)::VARCHAR
        {_KEPT}""").fetchall()[0]
    return int(n), f"{_VERSION}:{MIN_FOR_TRAINING}:{TRAINING_PAIRS}:{n}:{h}"


def suggest(ws: Any, *, threshold: float = THRESHOLD, limit: int | None = 50) -> list[dict[str, Any]]:
    """Likely pairs of people, best first: ``score`` (match probability), the two identities
    standing for them, and ``reasons``.

    Splink runs once per change of the identities' features; its predictions are kept in
    :data:`TABLE` and read back with the identities' current people, decisions and prior."""
    _splink()  # the extra is needed all the same (MissingExtra without it)
    n, fp = _fingerprint(ws)
    if n < 2:
        return []
    prior = _prior(ws, n)
    stored = ws.scalar("SELECT value FROM meta WHERE key = ?", [_META_KEY])
    fresh = stored is not None and stored.split("#")[0] == fp and bool(ws.scalar(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main' "
        "AND database_name = current_database()", [TABLE]))
    if fresh:
        floor = float(stored.split("#")[1])  # the lowest base weight kept
    else:
        floor = _logit2(_FLOOR) - _logit2(prior)
    if _logit2(max(min(threshold, 0.5), 1e-9)) - _logit2(prior) < floor - 1e-9:
        return _best(ws, _predict(ws, prior, min(threshold, 0.5)), threshold, limit)  # below what is kept
    if not fresh:
        import pyarrow as pa

        rows = _predict(ws, prior, _FLOOR, same=True)  # pairs already one person too: an undo brings them back
        pw = _logit2(prior)
        preds = pa.table({
            "unique_id_l": pa.array([r["unique_id_l"] for r in rows], pa.string()),
            "unique_id_r": pa.array([r["unique_id_r"] for r in rows], pa.string()),
            "base_weight": pa.array([float(r["match_weight"]) - pw for r in rows], pa.float64()),
            "prior": pa.array([prior] * len(rows), pa.float64()),
            "match_probability": pa.array([float(r["match_probability"]) for r in rows], pa.float64()),
            "match_weight": pa.array([float(r["match_weight"]) for r in rows], pa.float64()),
            **{f"gamma_{c}": pa.array([r.get(f"gamma_{c}") for r in rows], pa.int64()) for c in LEVELS}})
        with ws.transaction():
            ws.con.register("_lien_suggestions", preds)
            try:
                ws.con.execute(f'CREATE OR REPLACE TABLE "{TABLE}" AS SELECT * FROM _lien_suggestions').fetchall()
            finally:
                ws.con.unregister("_lien_suggestions")
            ws.con.execute("DELETE FROM meta WHERE key = ?", [_META_KEY]).fetchall()
            ws.con.execute("INSERT INTO meta (key, value) VALUES (?, ?)", [_META_KEY, f"{fp}#{floor!r}"]).fetchall()
    # the same prior as when stored: the stored figures; else the weights moved by the new prior
    pw = _logit2(prior)
    cur = ws.con.execute(f"""
        SELECT s.unique_id_l, s.unique_id_r, s.gamma_name, s.gamma_handle, s.gamma_email, s.gamma_cross,
               CASE WHEN s.prior = ? THEN s.match_weight ELSE s.base_weight + ? END AS match_weight,
               CASE WHEN s.prior = ? THEN s.match_probability
                    ELSE pow(2, s.base_weight + ?) / (1 + pow(2, s.base_weight + ?)) END AS match_probability,
               il.person_id AS person_id_l, il.channel AS channel_l, il.key AS key_l, il.display_name AS display_name_l,
               ir.person_id AS person_id_r, ir.channel AS channel_r, ir.key AS key_r, ir.display_name AS display_name_r
        FROM "{TABLE}" s JOIN identities il ON il.id = s.unique_id_l JOIN identities ir ON ir.id = s.unique_id_r
        WHERE il.person_id <> ir.person_id AND s.base_weight + ? >= ?""",
                         [prior, pw, prior, pw, pw, pw, _logit2(max(min(threshold, 0.5), 1e-9)) - 1e-9])
    cols = [d[0] for d in cur.description]
    return _best(ws, [dict(zip(cols, r)) for r in cur.fetchall()], threshold, limit)


def _predict(ws: Any, prior: float, threshold: float, same: bool = False) -> list[dict[str, Any]]:
    """Splink's predictions: pairs of identities (of different people unless ``same``) at least
    ``threshold`` likely."""
    cl, Linker, SettingsCreator, block_on, DuckDBAPI = _splink()
    import duckdb

    import pyarrow as pa

    cur = ws.con.execute(_FEATURES)  # execute, not sql(): it also closes a result left half-read
    cols = [d[0] for d in cur.description]
    data = cur.fetchall()
    features = pa.table({c: [r[i] for r in data] for i, c in enumerate(cols)},
                        schema=pa.schema([(c, pa.string()) for c in cols]))
    n = features.num_rows
    mem = duckdb.connect(":memory:")
    try:
        db = DuckDBAPI(connection=mem)
        settings = SettingsCreator(
            link_type="dedupe_only",
            unique_id_column_name="unique_id",
            probability_two_random_records_match=prior,
            comparisons=_comparisons(cl),
            blocking_rules_to_generate_predictions=[
                block_on("name"), block_on("handle"), block_on("email_local"),
                "l.nameslug = r.handle", "l.handle = r.nameslug",
            ],
            additional_columns_to_retain=["person_id", "channel", "key", "display_name"],
            retain_intermediate_calculation_columns=False,
        )
        for name in ("splink", "splink.internals"):
            logging.getLogger(name).setLevel(logging.ERROR)
        linker = Linker(db.register(features, table_name="lien_identities"), settings, log_level=logging.ERROR)
        if n >= MIN_FOR_TRAINING:
            linker.training.estimate_u_using_random_sampling(max_pairs=TRAINING_PAIRS, seed=1)
        pred = linker.inference.predict(threshold_match_probability=threshold)
        mem.register("_pred", pred.as_pyarrow_table() if hasattr(pred, "as_pyarrow_table") else pred.as_pandas_dataframe())
        rows = mem.execute(f"SELECT * FROM _pred {'' if same else 'WHERE person_id_l <> person_id_r'}").fetchall()
        cols = [d[0] for d in mem.description]
    finally:
        mem.close()
    return [dict(zip(cols, r)) for r in rows]


def _reasons(r: dict[str, Any]) -> list[str]:
    out = []
    for comp, levels in LEVELS.items():
        g = r.get(f"gamma_{comp}")
        if g is None or g < 0:
            continue
        label = levels[len(levels) - 1 - int(g)][0]
        if label:
            out.append(label)
    return out


def _best(ws: Any, rows: list[dict[str, Any]], threshold: float, limit: int | None) -> list[dict[str, Any]]:
    """One suggestion per pair of people, without the pairs decided against."""
    refused = {frozenset(p) for p in ws.con.execute("""
        SELECT DISTINCT ia.person_id, ib.person_id FROM links l
        JOIN identities ia ON ia.id = l.identity_id JOIN identities ib ON ib.id = l.other_identity_id
        WHERE (l.action = 'reject' AND l.undone_at IS NULL)
           OR (l.action = 'merge' AND l.decided_by = 'lien' AND l.undone_at IS NOT NULL)
           OR (l.action = 'merge' AND l.decided_by <> 'lien' AND l.undone_at IS NOT NULL)""").fetchall()}
    best: dict[frozenset[str], dict[str, Any]] = {}
    for r in rows:
        p = float(r["match_probability"])
        if p < threshold:
            continue
        pair = frozenset((r["person_id_l"], r["person_id_r"]))
        if pair in refused:
            continue
        a, b = ("l", "r") if r["unique_id_l"] < r["unique_id_r"] else ("r", "l")
        s = {"score": round(p, 4), "match_weight": round(float(r["match_weight"]), 2),
             "a_id": r[f"unique_id_{a}"], "a_channel": r[f"channel_{a}"], "a_key": r[f"key_{a}"],
             "a_name": r[f"display_name_{a}"], "a_person": r[f"person_id_{a}"],
             "b_id": r[f"unique_id_{b}"], "b_channel": r[f"channel_{b}"], "b_key": r[f"key_{b}"],
             "b_name": r[f"display_name_{b}"], "b_person": r[f"person_id_{b}"], "reasons": _reasons(r)}
        cur = best.get(pair)
        if cur is None or (s["score"], s["match_weight"], -len(s["a_id"])) > (cur["score"], cur["match_weight"], 0) \
                or (s["score"] == cur["score"] and s["match_weight"] == cur["match_weight"]
                    and (s["a_id"], s["b_id"]) < (cur["a_id"], cur["b_id"])):
            best[pair] = s
    out = sorted(best.values(), key=lambda s: (-s["score"], -s["match_weight"], s["a_id"], s["b_id"]))
    return out[:limit] if limit else out
