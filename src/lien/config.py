"""``lien.toml``: who "we" are, and every constant of the model (MODEL.md §10).

Every key has a default here; the file only needs what differs. ``lien init`` writes
:data:`TEMPLATE`, which shows every default commented out.
"""
from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

#: The model's defaults (MODEL.md §10). Keys are binding: docs and tests read them from here.
MODEL_DEFAULTS: dict[str, Any] = {
    "lookback_weeks": 52,
    "half_life_weeks": {"online": 13, "offline": 26, "tie": 26},
    "weights": {"offline": 30, "conversation": 25, "reciprocity": 15, "regularity": 15, "breadth": 10, "light": 5},
    "saturation_k": {"offline": 2.0, "conversation": 6.0, "reciprocity": 3.0, "light": 15.0},
    "calibrate": False,
    "action_weights": {
        "comment": 1.0, "reply": 1.5, "post": 1.5, "message": 1.0,
        "attend": 1.0, "volunteer": 2.0, "speak": 3.0, "host": 3.0, "like": 1.0,
    },
    "caps_per_week": {"conversation_units": 10, "light": 20, "tie_points": 30},
    "reciprocity_window_days": 14,
    "regularity": {"online_weeks_full": 7, "online_window_weeks": 13, "offline_months_full": 4, "offline_window_months": 6},
    "levels": {"demotion": "month_end", "grace_weeks": 4},
    "response": {"unanswered_hours": 72, "target_hours": 24, "median_target_hours": 4,
                 "active_hours": "", "timezone": "UTC"},
    "exclude": {"staff_from_aggregates": True, "bots": True},
    "tie_weights": {"reciprocated": 10.0, "one_way": 5.0, "co_attendance": 1.0, "reaction": 0.2},
}

#: The workspace's database settings ([workspace]): how much memory DuckDB may use before
#: it spills to disk, and where it spills ("" = beside the workspace, ``<workspace>.tmp``).
WORKSPACE_DEFAULTS: dict[str, Any] = {
    "memory_limit": "512MB",
    "temp_directory": "",
}

TEMPLATE = '''\
# lien.toml: who "we" are and the constants of the scoring model.
# Every commented line shows the default; uncomment and change what you need.
# Documentation: docs/concepts/model.md

[organisation]
# The organisation's name, as shown in reports.
name = "{name}"
# Our own accounts. An entry matches an identity whose key (e-mail, handle, profile URL)
# or display name is equal to it (case does not matter), on any channel; "channel/key"
# restricts it to one channel (e.g. "blog:asso.fr/marie"). `lien status` lists channels.
# Acts by these identities are ours (is_org): they answer people, they are not scored.
identities = []
# Staff members' accounts (same matching). They are scored but left out of community figures.
staff = []
# Accounts that are bots (same matching), on top of those the sources mark themselves.
bots = []

# [workspace]
# memory_limit = "512MB"              # DuckDB's memory for queries and imports; beyond it, it spills to disk
# temp_directory = ""                 # where it spills ("" = beside the workspace: lien.duckdb.tmp)

[model]
# lookback_weeks = 52                 # acts older than this are ignored
# half_life_weeks = {{ online = 13, offline = 26, tie = 26 }}
# weights = {{ offline = 30, conversation = 25, reciprocity = 15, regularity = 15, breadth = 10, light = 5 }}
# saturation_k = {{ offline = 2.0, conversation = 6.0, reciprocity = 3.0, light = 15.0 }}
# calibrate = false                   # true: k = quarterly median of each component
# action_weights = {{ comment = 1.0, reply = 1.5, post = 1.5, message = 1.0, attend = 1.0, volunteer = 2.0, speak = 3.0, host = 3.0, like = 1.0 }}
# caps_per_week = {{ conversation_units = 10, light = 20, tie_points = 30 }}
# reciprocity_window_days = 14
# regularity = {{ online_weeks_full = 7, online_window_weeks = 13, offline_months_full = 4, offline_window_months = 6 }}
# levels = {{ demotion = "month_end", grace_weeks = 4 }}
# response = {{ unanswered_hours = 72, target_hours = 24, median_target_hours = 4, active_hours = "", timezone = "UTC" }}
#   active_hours: when we answer, e.g. "Mon-Fri 09:00-18:00; Sat 10:00-12:00" (wall-clock times in
#   timezone, e.g. "Europe/Paris"); the median and p90 reply times (R2) then count only those hours
# exclude = {{ staff_from_aggregates = true, bots = true }}
# tie_weights = {{ reciprocated = 10.0, one_way = 5.0, co_attendance = 1.0, reaction = 0.2 }}
'''


@dataclass
class Config:
    path: Path | None = None
    name: str = ""
    identities: list[str] = field(default_factory=list)
    staff: list[str] = field(default_factory=list)
    bots: list[str] = field(default_factory=list)
    model: dict[str, Any] = field(default_factory=lambda: copy.deepcopy(MODEL_DEFAULTS))
    workspace: dict[str, Any] = field(default_factory=lambda: dict(WORKSPACE_DEFAULTS))
    raw: dict[str, Any] = field(default_factory=dict)


def _merge(base: dict[str, Any], over: dict[str, Any], where: str, path: Path) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if k not in base:
            raise ConfigError(
                f"{path}: unknown setting '{where}{k}' (known: {', '.join(sorted(base))})",
                file=str(path), setting=f"{where}{k}",
            )
        if isinstance(base[k], dict):
            if not isinstance(v, dict):
                raise ConfigError(f"{path}: '{where}{k}' expected a table, found {v!r}", file=str(path), setting=f"{where}{k}")
            out[k] = _merge(base[k], v, f"{where}{k}.", path)
        else:
            if isinstance(base[k], bool) != isinstance(v, bool) or (
                isinstance(base[k], (int, float)) and not isinstance(v, (int, float))
            ):
                raise ConfigError(
                    f"{path}: '{where}{k}' expected {type(base[k]).__name__}, found {v!r}",
                    file=str(path), setting=f"{where}{k}",
                )
            out[k] = v
    return out


def load_config(path: Path | str | None) -> Config:
    if path is None or not Path(path).exists():
        return Config(path=Path(path) if path else None)
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}", file=str(path)) from e
    org = raw.get("organisation", {})
    cfg = Config(path=path, raw=raw, name=str(org.get("name", "")))
    for attr in ("identities", "staff", "bots"):
        val = org.get(attr, [])
        if not isinstance(val, list) or not all(isinstance(x, str) for x in val):
            raise ConfigError(f"{path}: 'organisation.{attr}' expected a list of strings, found {val!r}", file=str(path))
        setattr(cfg, attr, val)
    cfg.model = _merge(MODEL_DEFAULTS, raw.get("model", {}), "model.", path)
    from .metrics.hours import from_config as active_hours

    try:
        active_hours(cfg.model["response"])
    except ConfigError as e:
        raise ConfigError(f"{path}: {e.message.removeprefix('lien.toml: ')}", file=str(path),
                          setting=e.fields.get("setting")) from e
    cfg.workspace = _merge(WORKSPACE_DEFAULTS, raw.get("workspace", {}), "workspace.", path)
    return cfg


def write_template(path: Path, name: str = "") -> bool:
    """Write the commented template unless a file is already there. Returns True if written."""
    if path.exists():
        return False
    path.write_text(TEMPLATE.format(name=name.replace('"', "'")), encoding="utf-8")
    return True


def _match_sql(entries: list[str]) -> tuple[str, list[str]]:
    if not entries:
        return "false", []
    vals = [e.strip().lower() for e in entries]
    ph = ", ".join("?" for _ in vals)
    cond = (f"(key IN ({ph}) OR lower(trim(display_name)) IN ({ph}) "
            f"OR channel || '/' || key IN ({ph}))")
    return cond, vals * 3


def apply_marks(ws: "Any") -> None:
    """Mark our identities (is_org), staff and bots from lien.toml. Marks only add:
    removing an entry from the file does not unmark an identity already marked."""
    cfg = ws.config
    con = ws.con
    org, org_p = _match_sql(cfg.identities)
    staff, staff_p = _match_sql(cfg.staff)
    bots, bots_p = _match_sql(cfg.bots)
    if cfg.identities:
        con.execute(f"UPDATE identities SET is_org = true WHERE NOT is_org AND {org}", org_p)
    if cfg.bots:
        con.execute(f"UPDATE identities SET is_bot = true WHERE NOT is_bot AND {bots}", bots_p)
    con.execute("""UPDATE people SET role = 'bot' WHERE role <> 'bot' AND id IN
                   (SELECT person_id FROM identities WHERE is_bot)""")
    con.execute("""UPDATE people SET role = 'staff' WHERE role = 'community' AND id IN
                   (SELECT person_id FROM identities WHERE is_org)""")
    if cfg.staff:
        con.execute(f"""UPDATE people SET role = 'staff' WHERE role = 'community' AND id IN
                        (SELECT person_id FROM identities WHERE {staff})""", staff_p)
