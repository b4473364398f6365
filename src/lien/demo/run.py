"""Write the sample community into a folder and import it through lien's importers.

Each part goes through its own importer (``wxr``, ``mastodon``, ``meetup``) when that
importer is registered in :data:`lien.sources.REGISTRY`; otherwise its stand-in in lien's
generic JSON Lines columns goes through the ``jsonl`` importer, so the demo always works.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable

from ..errors import LienError, UsageError
from ..sources.base import ImportOptions
from ..sources.load import ImportSummary, run_import
from . import formats, texts
from .community import SEED, Community, build

CONFIG_MARK = "# lien demo:"

CONFIG = f'''{CONFIG_MARK} the sample community's configuration, written by `lien demo`.
# Who "we" are: acts by these accounts are the association's own (they answer people and
# are not scored); staff are scored but left out of community figures. An entry matches an
# identity's key (e-mail, handle, profile URL) or its display name, on any channel.
# Every model setting has a default: `lien init` in an empty folder writes them all, commented.

[organisation]
name = "{texts.ORG_NAME}"
identities = ["{texts.ORG_NAME}", "contact@reparlien.example", "{formats.OUR_ACTOR}", "{formats.OUR_PROFILE}"]
staff = ["Sophie Garnier", "Karim Benali", "sophie@reparlien.example", "karim@reparlien.example"]
bots = []
'''


@dataclass
class Part:
    """One channel of the sample: the files written, and how it was imported."""

    name: str                 # blog | mastodon | notifications | meetup
    format: str               # the importer that read it
    paths: list[Path]
    fallback: bool = False    # True: the part's own importer is not there yet; the stand-in was used


@dataclass
class DemoResult:
    out: Path
    workspace: Path
    config: Path
    first_day: date
    last_day: date
    people: int
    parts: list[Part]
    imports: list[ImportSummary]
    advice: Any = None        # "what to do this week", from the model when it is there

    def to_dict(self) -> dict[str, Any]:
        return {
            "out": str(self.out), "workspace": str(self.workspace), "config": str(self.config),
            "period": [self.first_day.isoformat(), self.last_day.isoformat()], "people": self.people,
            "parts": [{"name": p.name, "format": p.format, "fallback": p.fallback,
                       "paths": [str(x) for x in p.paths]} for p in self.parts],
            "imports": [s.to_dict() for s in self.imports], "advice": self.advice,
        }


def registered() -> set[str]:
    from ..sources import REGISTRY

    return {cls.name for cls in REGISTRY}


def write(out: Path, c: Community, available: set[str] | None = None) -> list[Part]:
    """Write every part of the sample into ``out``; returns how each part is to be imported."""
    available = registered() if available is None else available
    out.mkdir(parents=True, exist_ok=True)
    fb = out / "fallback"
    if fb.exists():
        shutil.rmtree(fb)
    parts: list[Part] = []

    blog = out / "blog" / "reparlien.WordPress.xml"
    blog.parent.mkdir(parents=True, exist_ok=True)
    formats.write_wxr(c, blog)
    parts.append(_part("blog", "wxr", [blog], available, fb, formats.blog_fallback(c)))

    # the notifications before the archive: they name the members (the archive only knows
    # their handles), and a person keeps the name they were first seen with
    notes = out / "mastodon-notifications.jsonl"
    formats.write_fallback(notes, formats.notifications(c, follows=False))
    parts.append(Part("notifications", "jsonl", [notes]))

    masto = out / "mastodon-archive"
    formats.write_mastodon(c, masto)
    parts.append(_part("mastodon", "mastodon", [masto], available, fb, formats.mastodon_fallback(c)))

    # the followers after the archive: the link each one's profile shows is the last word on
    # the accounts (the archive gives each account it names its own id as its URL)
    follows = out / "mastodon-followers.jsonl"
    formats.write_fallback(follows, formats.notifications(c, follows=True))
    parts.append(Part("followers", "jsonl", [follows]))

    meetup = out / "meetup"
    formats.write_meetup(c, meetup)
    parts.append(_part("meetup", "meetup", [meetup / "events.json", meetup / "rsvps.json", meetup / "attendance.json"],
                       available, fb, formats.meetup_fallback(c)))
    (out / "README.txt").write_text(README.format(first=c.first_day, last=c.last_day), encoding="utf-8")
    return parts


def _part(name: str, fmt: str, paths: list[Path], available: set[str], fb: Path, rows: Any) -> Part:
    if fmt in available:
        return Part(name, fmt, paths)
    stand_in = fb / f"{name}.jsonl"
    formats.write_fallback(stand_in, rows)
    return Part(name, "jsonl", [stand_in], fallback=True)


def _check_workspace(ws: Any, out: Path) -> None:
    """The demo never mixes itself into a workspace holding someone's real data; a workspace
    holding only an earlier demo is emptied (its window has moved since, with its ids)."""
    locations = [r["location"] for r in ws.rows("SELECT location FROM sources")]
    others = [x for x in locations if not Path(x).resolve().is_relative_to(out.resolve())]
    if others:
        raise UsageError(f"the workspace {ws.path} already holds other data ({others[0]} …): "
                         f"run the demo in its own workspace, e.g. `lien --workspace demo.duckdb demo`")
    cfg = ws.config_path
    if cfg.exists() and not cfg.read_text(encoding="utf-8").startswith(CONFIG_MARK):
        raise UsageError(f"{cfg} exists and is not the demo's: run the demo in another folder "
                         f"(`lien --workspace lien-demo/lien.duckdb demo`)")


def _empty(ws: Any) -> None:
    tables = [r["table_name"] for r in ws.rows(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE' "
        "AND table_name <> 'meta' ORDER BY 1")]
    for t in tables:
        ws.con.execute(f'DELETE FROM "{t}"')


def run(ws: Any, out: Path | str = "lien-demo", *, today: date | None = None, seed: int = SEED,
        available: set[str] | None = None, progress: Callable[[str, int], None] | None = None) -> DemoResult:
    """Write the sample community into ``out``, its lien.toml beside the workspace, and
    import every part in one transaction. The workspace must be new or hold only an earlier
    demo (which is replaced)."""
    out = Path(out)
    _check_workspace(ws, out)
    c = build(today, seed)
    parts = write(out, c, available)
    (out / "lien.toml").write_text(CONFIG, encoding="utf-8")
    ws.config_path.write_text(CONFIG, encoding="utf-8")
    ws.reload_config()
    # one import of every file (one transaction; identity resolution and scoring run once),
    # each file's format found by detection, as `lien import lien-demo/...` would
    paths = [x for p in parts for x in p.paths]
    with ws.transaction():  # an earlier demo is replaced, or kept if anything fails
        if ws.scalar("SELECT count(*) FROM sources"):
            _empty(ws)
        imports = run_import(ws, [str(x) for x in paths], ImportOptions(), progress)
    expected = [p.format for p in parts for _ in p.paths]
    wrong = [(str(x), s.format, f) for x, s, f in zip(paths, imports, expected) if s.format != f]
    if wrong:
        raise LienError(f"lien demo: {wrong[0][0]} was read as '{wrong[0][1]}', not '{wrong[0][2]}'")
    return DemoResult(out=out, workspace=ws.path, config=ws.config_path, first_day=c.first_day, last_day=c.last_day,
                      people=sum(1 for p in c.people if p.role != "org"), parts=parts, imports=imports,
                      advice=this_week(ws))


def this_week(ws: Any, *, recent_days: int | None = None, limit: int = 3) -> list[dict[str, Any]] | None:
    """What to do this week, from the model's own read functions (inbox, people's tags,
    cooling, advocates) for the last complete week; None when this lien has no model yet.

    Each item: ``{"action": answer | welcome | invite | reconnect | thank, "people": [names],
    "total": how many in all, ...}``; the CLI words them."""
    try:
        from ..metrics import cooling, levels, persons, responsiveness
    except ImportError:
        return None
    if not ws.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = 'score_weeks'"):
        return None
    from datetime import timedelta

    from ..metrics.base import RECENT_DAYS, resolve_as_of

    advice: list[dict[str, Any]] = []
    recent_days = recent_days or RECENT_DAYS
    week = resolve_as_of(ws)
    inbox = responsiveness.inbox(ws, week)  # the same window as the dashboard's "to answer"
    recent = responsiveness.inbox(ws, week, since=week - timedelta(days=recent_days - 1))["items"]
    if recent:
        recent.sort(key=lambda i: (not i["newcomer"], -i["age_days"]))
        advice.append({"action": "answer", "total": len(recent), "all_unanswered": inbox["total"],
                       "days": recent_days, "people": _names(i["who"] for i in recent)[:limit],
                       "items": [{k: i[k] for k in ("who", "channel", "age_days", "url", "newcomer")}
                                 for i in recent[:limit]]})

    new = persons.people(ws, tag="new", role="community", limit=limit)
    if new["people"]:
        advice.append({"action": "welcome", "total": new["total"],
                       "people": _names(r["name"] for r in new["people"])[:limit]})
    online = persons.people(ws, tag="online-only", role="community", limit=limit)
    if online["people"]:
        advice.append({"action": "invite", "total": online["total"],
                       "people": _names(r["name"] for r in online["people"])[:limit]})
    drifting = cooling.cooling(ws, limit=limit)
    if drifting["cooling"]:
        advice.append({"action": "reconnect", "total": drifting["total"],
                       "people": _names(r["name"] for r in drifting["cooling"])[:limit]})
    thanks = levels.advocates(ws)["advocates"]
    if thanks:
        advice.append({"action": "thank", "total": len(thanks), "people": _names(r["name"] for r in thanks)[:limit],
                       "reasons": [r["reason"] for r in thanks[:limit]]})
    return advice


def _names(names: Any) -> list[str]:
    seen: list[str] = []
    for n in names:
        if n and n not in seen:
            seen.append(n)
    return seen


README = """Répar'Lien: a sample community written by `lien demo` ({first} to {last}).

A neighbourhood repair café in Lyon, as its exports would look:

  blog/reparlien.WordPress.xml   the blog (WordPress: Tools > Export > All content)
  mastodon-archive/              the association's Mastodon archive (actor, outbox, likes)
  mastodon-notifications.jsonl   favourites, boosts and replies members sent to the account
                                 (not in the archive), in lien's generic JSON Lines columns
  mastodon-followers.jsonl       who followed the account, with the link their profile shows
  meetup/                        the Meetup group: events, RSVPs and attendance (API JSON)
  lien.toml                      who "we" are: the association's accounts and its staff
  fallback/                      (only when an importer is missing) the same acts in generic columns

Import them yourself with `lien import PATH`; `lien formats` lists what lien reads.
Every name, address and message here is invented.
"""
