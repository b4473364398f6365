"""Getting data in and out: init, import, sync, status, export (``lien people`` is in model.py)."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, List, Optional

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from .. import i18n, inventory
from ..config import write_template
from ..errors import FetchError, UsageError
from ..sources.base import ImportOptions
from ..sources.load import ImportSummary, run_import
from .app import CsvOpt, JsonOpt, app, state, ws
from .output import emit, err, out, print_json, print_table

i18n.register({
    "data.warning_line": {"en": "Warning: {where}: {msg}", "fr": "Attention : {where} : {msg}"},
    "data.more_bad": {"en": "… (+{n}; --json lists them all)", "fr": "… (+{n} ; --json les liste tous)"},
    "data.bad_pair": {"en": "{what}: expected FIELD=COLUMN, found '{part}'",
                      "fr": "{what} : attendu CHAMP=COLONNE, trouvé « {part} »"},
})

@app.command()
def init(
    name: str = typer.Option("", "--name", help="The organisation's name, written into lien.toml."),
    goals: bool = typer.Option(False, "--goals", help="Also add the model's default quarterly goals."),
    json: bool = JsonOpt,
) -> None:
    """Create the workspace and a commented lien.toml beside it (kept if it exists); propose
    the model's default quarterly goals (added with --goals)."""
    from ..metrics.goals import add_defaults, proposal

    w = ws()
    written = write_template(w.config_path, name)
    added = add_defaults(w) if goals else None
    if json:
        print_json({"workspace": str(w.path), "config": str(w.config_path), "config_written": written,
                    "goals": added})
        return
    out.print(i18n.t("init_done", path=w.path))
    out.print(i18n.t("config_written" if written else "config_kept", path=w.config_path))
    out.print(proposal(added), markup=False)


def parse_mapping(items: list[str] | None, what: str = "--map") -> dict[str, str]:
    mapping: dict[str, str] = {}
    for item in items or []:
        for part in _split_commas(item):
            if "=" not in part:
                raise UsageError(i18n.t("data.bad_pair", what=what, part=part))
            k, v = part.split("=", 1)
            mapping[k.strip()] = v.strip()
    return mapping


def _split_commas(s: str) -> list[str]:
    parts, buf, quoted = [], "", False
    for ch in s:
        if ch == "'":
            quoted = not quoted
        if ch == "," and not quoted:
            parts.append(buf)
            buf = ""
        else:
            buf += ch
    if buf.strip():
        parts.append(buf)
    return [p.strip() for p in parts if p.strip()]


def _progress_ctx() -> Any:
    if not sys.stderr.isatty():
        return None
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed:,} records"),
                    TimeElapsedColumn(), console=err, transient=True)


def _run_with_progress(w: Any, locations: list[str], opts: ImportOptions) -> list[ImportSummary]:
    prog = _progress_ctx()
    if prog is None:
        return run_import(w, locations, opts)
    tasks: dict[str, Any] = {}
    with prog:
        def tick(loc: str, n: int) -> None:
            if loc not in tasks:
                tasks[loc] = prog.add_task(Path(loc).name or loc, total=None)
            prog.update(tasks[loc], completed=n)
        return run_import(w, locations, opts, tick)


def show_summaries(summaries: list[ImportSummary], json: bool) -> None:
    if json:
        print_json({"imports": [s.to_dict() for s in summaries]})
        return
    rows = []
    for s in summaries:
        rows.append({"format": s.format, "source": s.location, "read": s.read, "added": s.added, "updated": s.updated,
                     "unchanged": s.unchanged, "skipped": s.skipped, "new_people": s.identities_added,
                     "events": s.events_added + s.events_updated,
                     "kinds": ", ".join(f"{k} +{v['added']}" + (f"/~{v['updated']}" if v["updated"] else "")
                                        for k, v in sorted(s.by_kind.items())),
                     "note": i18n.t("not_modified") if s.not_modified else ""})
    print_table(rows, [("format", "col.format"), ("source", "col.source"), ("read", "col.read"),
                       ("added", "col.added"), ("updated", "col.updated"), ("unchanged", "col.unchanged"),
                       ("skipped", "col.skipped"), ("new_people", "col.new_people"), ("events", "col.events"),
                       ("kinds", "col.kind"), ("note", "")])
    for s in summaries:
        for wmsg in s.warnings:
            err.print(i18n.t("data.warning_line", where=s.location, msg=wmsg), markup=False)
        if s.bad:
            err.print(i18n.t("skipped_bad", n=len(s.bad)), markup=False)
            for b in s.bad[:200]:
                err.print(f"  {i18n.t('bad_input', **b.__dict__)}", markup=False)
            if len(s.bad) > 200:
                err.print("  " + i18n.t("data.more_bad", n=len(s.bad) - 200), markup=False)


@app.command("import")
def import_(
    paths: List[str] = typer.Argument(..., help="Files, folders or http(s) URLs to import."),
    format: Optional[str] = typer.Option(None, "--format", "-f", help="The format, when detection is not enough "
                                         "(see 'lien formats')."),
    channel: Optional[str] = typer.Option(None, "--channel", help="Name of the channel these acts happened on."),
    map: Optional[List[str]] = typer.Option(None, "--map", help="For csv/jsonl: FIELD=COLUMN pairs, comma separated "
                                            "(e.g. kind=type,ts=date,actor=email)."),
    kind_map: Optional[List[str]] = typer.Option(None, "--kind-map", help="For csv/jsonl: rename kind values "
                                                 "(e.g. commented=comment,checked_in=attend)."),
    ts_format: Optional[str] = typer.Option(None, "--ts-format", help="For csv/jsonl: strptime format of the "
                                            "timestamps (default: ISO 8601 or Unix time)."),
    since: Optional[str] = typer.Option(None, "--since", help="For calendars: expand recurring events from this "
                                        "date (default: two years back)."),
    until: Optional[str] = typer.Option(None, "--until", help="For calendars: expand recurring events up to this "
                                        "date (default: one year ahead)."),
    event: Optional[str] = typer.Option(None, "--event", help="For Meetup attendance and attendee lists, which do not "
                                        "name their event: the event's URL (https://www.meetup.com/GROUP/events/ID/)."),
    event_start: Optional[str] = typer.Option(None, "--event-start", help="For Meetup attendance and attendee "
                                              "lists: when that event began (ISO 8601, e.g. 2024-03-06T18:00:00Z)."),
    event_name: Optional[str] = typer.Option(None, "--event-name", help="For a Meetup attendee list: the event's "
                                             "name (otherwise the file's name)."),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="Keep the good records of a damaged file and list the bad ones."),
    json: bool = JsonOpt,
) -> None:
    """Import files, folders or URLs into the workspace, in one transaction (all or nothing).

    Importing the same input twice changes nothing; a newer export adds what is new."""
    extra: dict[str, Any] = {}
    if kind_map:
        extra["kind_map"] = parse_mapping(kind_map, "--kind-map")
    if ts_format:
        extra["ts_format"] = ts_format
    if since:
        extra["since"] = since
    if until:
        extra["until"] = until
    for key, value in (("event", event), ("event_start", event_start), ("event_name", event_name)):
        if value:
            extra[key] = value
    opts = ImportOptions(format=format, channel=channel, mapping=parse_mapping(map), skip_bad=skip_bad, extra=extra)
    summaries = _run_with_progress(ws(), list(paths), opts)
    show_summaries(summaries, json)


@app.command()
def sync(json: bool = JsonOpt) -> None:
    """Fetch again every source imported from a URL (conditional GET: unchanged feeds cost nothing)."""
    w = ws()
    import orjson

    sources = w.rows("SELECT kind, location, options FROM sources WHERE location LIKE 'http%://%' ORDER BY id")
    if not sources:
        if json:
            print_json({"imports": []})
        else:
            out.print(i18n.t("no_url_sources"))
        return
    summaries: list[ImportSummary] = []
    failed: list[FetchError] = []
    for s in sources:
        o = orjson.loads(s["options"]) if s["options"] else {}
        opts = ImportOptions(format=s["kind"], channel=o.get("channel"), mapping=o.get("mapping") or {},
                             extra={k: v for k, v in o.items() if k not in ("format", "channel", "mapping")})
        try:
            summaries += _run_with_progress(w, [s["location"]], opts)
        except FetchError as e:  # a site that is down does not stop the others (each source is its own import)
            failed.append(e)
    if json:
        print_json({"imports": [s.to_dict() for s in summaries], "errors": [e.to_dict() for e in failed]})
    else:
        show_summaries(summaries, json)
        for e in failed:
            err.print(i18n.t("error_line", msg=e.message), markup=False)
    if failed:
        raise typer.Exit(code=1)


@app.command()
def formats(json: bool = JsonOpt) -> None:
    """List the formats lien reads, with the kinds of acts each yields."""
    from ..sources import REGISTRY

    rows = [{"name": c.name, "label": c.label, "kinds": ", ".join(c.kinds), "version": c.version} for c in REGISTRY]
    emit({"formats": rows}, rows, [("name", "col.format"), ("label", ""), ("kinds", "col.kind")], as_json=json)


@app.command()
def status(json: bool = JsonOpt) -> None:
    """What the workspace holds: per channel and kind, date spans, sources."""
    data = inventory.status(ws())
    if json:
        print_json(data)
        return
    out.print(i18n.t("status.title", path=data["workspace"]))
    out.print(i18n.t("status.totals", **{k: data["totals"][k] for k in ("people", "identities", "acts", "events")}))
    if not data["channels"]:
        out.print(i18n.t("empty"))
        return
    print_table(data["channels"], [("channel", "col.channel"), ("kind", "col.kind"), ("acts", "col.acts"),
                                   ("people", "col.people"), ("first", "col.first"), ("last", "col.last")])
    print_table(data["sources"], [("id", "#"), ("format", "col.format"), ("location", "col.source"),
                                  ("records", "col.records"), ("acts", "col.acts"), ("imported_at", "col.imported")])


@app.command("export")
def export_(
    out_dir: Path = typer.Option(Path("lien-export"), "--out", "-o", help="Folder to write into."),
    tables: Optional[List[str]] = typer.Option(None, "--table", "-t", help="A table to export (repeatable; default: all)."),
    format: str = typer.Option("csv", "--format", "-f", help="csv or parquet."),
    person: Optional[str] = typer.Option(None, "--person", help="Instead: everything lien holds about one person "
                                         "(id, key, e-mail or name), as one JSON file in --out (or --out FILE.json)."),
    json: bool = JsonOpt,
) -> None:
    """Export tables as CSV or Parquet files, or one person's data as JSON (--person)."""
    if person is not None:
        from ..identity.forget import write_person

        wrote = write_person(ws(), person, out_dir)
        print_json(wrote) if json else out.print(wrote["path"], markup=False)
        return
    done = inventory.export_tables(ws(), out_dir, list(tables or []), format)
    if json:
        print_json({"exported": done})
        return
    for d in done:
        out.print(i18n.t("exported", **d), markup=False)
