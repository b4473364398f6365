"""Check-in sheets and Eventbrite attendee reports (CSV): who came to what.

Two kinds of CSV are read, told apart by their header:

- an **Eventbrite attendee report** (``Order #``, ``Order Date``, ``First Name``, ``Last Name``,
  ``Email``, ``Ticket Type``, ``Attendee #``, ``Attendee Status`` …, optionally ``Event Name``,
  ``Event ID``, ``Event Date``, ``Checked In``, ``Check-In Date``): each attendee's registration
  becomes ``rsvp_yes`` (``rsvp_no`` when refunded or not attending, ``waitlist``) dated by the
  order; when the report says who checked in (status "Checked In" or a ``Checked In`` column)
  each registered attendee also gets ``attend`` or ``no_show``;
- a **plain sheet**, one row per attendance (a name and/or e-mail, and an event and/or a
  date; an optional status column: present/absent …) or one row per person with one column
  per event or date (a mark such as ``x``, ``1``, ``oui`` in the cells). Rows become
  ``attend`` (``no_show``, ``rsvp_*`` when a status says so).

Events are created per event name/id, per event column or per date; their start is the
date the sheet gives, else left empty. Acts need a time: the row's date, else its event's
date, else (Eventbrite) the order date, else the file's modification time, with a warning
that says how to give one (``--format checkin --map "date='2024-03-09'"``: a mapping
alone selects the generic CSV importer).

Column names are matched in English and French, case-insensitively; ``--map`` names them
otherwise (fields: ``name``, ``first_name``, ``last_name``, ``email``, ``event``, ``date``,
``status``; a value in single quotes is a constant).
"""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ClassVar, Iterator

from ..i18n import register, t
from .base import Activity, Batch, Event, Identity, Source

register({
    "checkin.no_person": {"en": "a column with the person's name or e-mail (or --format checkin --map name=COLUMN)",
                          "fr": "une colonne avec le nom ou l'e-mail de la personne (ou --format checkin --map name=COLONNE)"},
    "checkin.no_event": {"en": "an event or date column, or one column per event",
                         "fr": "une colonne d'événement ou de date, ou une colonne par événement"},
    "checkin.undated": {
        "en": "no date for {n} attendances: dated {when} (the file's modification time); "
              "give a date column or --format checkin --map \"date='YYYY-MM-DD'\"",
        "fr": "pas de date pour {n} présences : datées du {when} (modification du fichier) ; "
              "donnez une colonne de date ou --format checkin --map \"date='AAAA-MM-JJ'\""},
    "checkin.order_dated": {
        "en": "no event date: {n} check-ins and no-shows are dated by their order; give --format checkin --map \"date='YYYY-MM-DD HH:MM'\"",
        "fr": "pas de date d'événement : {n} présences et absences sont datées de leur commande ; "
              "donnez --format checkin --map \"date='AAAA-MM-JJ HH:MM'\""},
    "checkin.cp1252": {"en": "the file is not UTF-8: read as Windows-1252",
                       "fr": "le fichier n'est pas en UTF-8 : lu en Windows-1252"},
    "checkin.person": {"en": "a name or an e-mail", "fr": "un nom ou un e-mail"},
    "checkin.date": {"en": "a date (YYYY-MM-DD, DD/MM/YYYY …; or --ts-format)",
                     "fr": "une date (AAAA-MM-JJ, JJ/MM/AAAA … ; ou --ts-format)"},
})


def _norm(h: str) -> str:
    return re.sub(r"\s+", " ", h.replace("\ufeff", "").strip().lower())


COLUMNS: dict[str, set[str]] = {
    "email": {"email", "e-mail", "mail", "courriel", "email address", "adresse e-mail", "adresse email", "adresse mail"},
    "first_name": {"first name", "firstname", "given name", "prénom", "prenom"},
    "last_name": {"last name", "lastname", "surname", "family name", "nom de famille"},
    "name": {"name", "nom", "full name", "nom complet", "attendee", "attendee name", "participant", "participante",
             "person", "personne", "member", "membre", "who", "qui", "woman", "man"},
    "event": {"event", "event name", "event title", "événement", "evenement", "évènement", "meetup", "session",
              "rencontre", "atelier", "activité", "activite"},
    "event_id": {"event id", "id événement"},
    "date": {"date", "event date", "event start", "event start date", "start", "start date", "when", "quand", "jour",
             "day", "début", "debut"},
    "checkin_time": {"check-in date", "check in date", "checked in at", "check-in time", "heure d'arrivée"},
    "status": {"status", "statut", "attendee status", "présence", "presence", "attended", "present", "présent",
               "checked in", "check-in", "checked-in", "venu"},
    "order": {"order #", "order id", "order no", "order number"},
    "order_date": {"order date", "date de commande"},
    "attendee_id": {"attendee #", "attendee id", "ticket #"},
    "ticket": {"ticket type", "type de billet"},
    # an activity log for the generic CSV importer, not a check-in sheet
    "kind": {"kind", "type d'acte", "action", "activity type", "verb"},
}
STATUS: dict[str, str] = {}
for _kind, _words in {
    "attend": ("checked in", "checked-in", "present", "présent", "présente", "presente", "yes", "oui", "y", "o", "x",
               "1", "true", "vrai", "✓", "✔", "attended", "venu", "venue", "here", "là"),
    "no_show": ("no show", "no-show", "noshow", "absent", "absente", "no", "non", "n", "0", "false", "faux",
                "not checked in", "did not attend"),
    "rsvp_yes": ("attending", "registered", "inscrit", "inscrite", "going", "confirmed", "confirmé"),
    "rsvp_no": ("not attending", "cancelled", "canceled", "refunded", "annulé", "annulée", "deleted", "declined",
                "not going"),
    "rsvp_maybe": ("maybe", "peut-être", "tentative"),
    "waitlist": ("waitlist", "waitlisted", "wait list", "liste d'attente"),
}.items():
    for _w in _words:
        STATUS[_w] = _kind
#: Eventbrite statuses that are a cancelled registration
EB_NOT_COMING = {"rsvp_no"}
_DATE_FORMATS_DAYFIRST = ("%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y",
                          "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%y", "%d/%m/%y %H:%M", "%d.%m.%Y", "%d-%m-%Y")
_DATE_FORMATS_MONTHFIRST = ("%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%m/%d/%Y",
                            "%m/%d/%Y %H:%M", "%m/%d/%y %H:%M", "%m/%d/%y", "%m/%d/%Y %I:%M %p", "%b %d, %Y %I:%M %p",
                            "%B %d, %Y", "%b %d, %Y")


def parse_date(value: str | None, dayfirst: bool = True, fmt: str | None = None) -> datetime | None:
    """A date or date-time of a sheet, naive UTC; ``None`` when it is not one."""
    if not value or not value.strip():
        return None
    v = value.strip()
    if fmt:
        try:
            return datetime.strptime(v, fmt)
        except ValueError:
            return None
    try:
        d = datetime.fromisoformat(v.replace("Z", "+00:00"))
        return d.astimezone(timezone.utc).replace(tzinfo=None) if d.tzinfo else d
    except ValueError:
        pass
    for f in _DATE_FORMATS_DAYFIRST if dayfirst else _DATE_FORMATS_MONTHFIRST:
        try:
            return datetime.strptime(v, f)
        except ValueError:
            continue
    return None


def _columns(header: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """field -> column (or 'constant') from the header and --map."""
    found: dict[str, str] = {}
    for col in header:
        n = _norm(col)
        for field, names in COLUMNS.items():
            if n in names and field not in found:
                found[field] = col
                break
    if "first_name" in found and "name" in found and "last_name" not in found and _norm(found["name"]) == "nom":
        found["last_name"] = found.pop("name")  # "Prénom, Nom": nom is the family name
    for field, col in mapping.items():
        found[field] = col
    return found


class CheckinSource(Source):
    name = "checkin"
    version = "1"
    label = "Check-in sheet or Eventbrite attendee report (CSV)"
    kinds: ClassVar[tuple[str, ...]] = ("attend", "no_show", "rsvp_yes", "rsvp_no", "rsvp_maybe", "waitlist")

    @classmethod
    def detect(cls, path: Path, head: bytes) -> int:
        if path.suffix.lower() not in (".csv", ".tsv", ".txt"):
            return 0
        first = head.decode("utf-8", errors="replace").lstrip("\ufeff").split("\n", 1)[0]
        try:
            header = [_norm(h) for h in next(csv.reader([first], csv.Sniffer().sniff(first, ",;\t")))]
        except (csv.Error, StopIteration):
            return 0
        has = {f for f, names in COLUMNS.items() if any(h in names for h in header)}
        if "kind" in has:
            return 0  # the generic CSV importer's layout
        if "attendee status" in header or {"order", "ticket"} <= has:
            return 60
        if has & {"name", "email", "first_name"} and (has & {"event", "date", "status", "event_id"} or any(
                parse_date(h) for h in header)):
            return 30
        return 0

    # -- reading ----------------------------------------------------------------------------
    def _rows(self) -> tuple[list[str], list[list[str]]]:
        raw = self.path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252")
            self.warn(t("checkin.cp1252"))
        sample = text[:8192]
        try:
            dialect: Any = csv.Sniffer().sniff(sample.split("\n", 1)[0], ",;\t")
        except csv.Error:
            dialect = csv.excel
        rows = list(csv.reader(io.StringIO(text, newline=""), dialect))
        if not rows:
            return [], []
        return rows[0], rows[1:]

    def read(self) -> Iterator[Batch]:
        header, rows = self._rows()
        cols = _columns(header, self.options.mapping)
        eventbrite = any(_norm(h) == "attendee status" for h in header) or ("order" in cols and "ticket" in cols)
        stem = self.path.stem
        if eventbrite:
            self.channel = self.default_channel(f"eventbrite:{stem}")
            self.namespace = "eventbrite"
        else:
            self.channel = self.default_channel(f"checkin:{stem}")
            self.namespace = f"{self.name}:{self.channel.split(':', 1)[-1]}"
        self.fmt = self.options.extra.get("ts_format")
        self.mtime = datetime.fromtimestamp(self.path.stat().st_mtime, timezone.utc).replace(tzinfo=None, microsecond=0)
        self.undated = self.order_dated = 0
        if not ({"name", "email", "first_name", "last_name"} & set(cols)):
            self.bad("the header", t("checkin.no_person"), ", ".join(header))
            return
        idx = {h: i for i, h in enumerate(header)}
        self.events: dict[str, Event] = {}
        self.people: dict[str, Identity] = {}
        acts: list[Activity] = []
        if eventbrite:
            self._eventbrite(rows, cols, idx, acts)
        elif {"event", "date", "event_id"} & set(cols):
            self._long(rows, cols, idx, acts)
        else:
            self._wide(header, rows, cols, idx, acts)
        read = sum(1 for r in rows if any(c.strip() for c in r))
        if self.undated:
            self.warn(t("checkin.undated", n=self.undated, when=self.mtime.isoformat(sep=" ")))
        if self.order_dated:
            self.warn(t("checkin.order_dated", n=self.order_dated))
        yield Batch(activities=acts, events=list(self.events.values()), identities=list(self.people.values()),
                    records=read)

    # -- helpers ----------------------------------------------------------------------------
    def _get(self, row: list[str], cols: dict[str, str], idx: dict[str, int], field: str) -> str | None:
        col = cols.get(field)
        if col is None:
            return None
        if len(col) >= 2 and col[0] == col[-1] == "'":
            return col[1:-1] or None
        i = idx.get(col)
        if i is None:
            self.bad("the header", f"a column '{col}' for {field}", ", ".join(idx))
            return None
        v = row[i].strip() if i < len(row) else ""
        return v or None

    def _person(self, row: list[str], cols: dict[str, str], idx: dict[str, int], n: int) -> str | None:
        email = self._get(row, cols, idx, "email")
        first, last = self._get(row, cols, idx, "first_name"), self._get(row, cols, idx, "last_name")
        name = self._get(row, cols, idx, "name") or " ".join(x for x in (first, last) if x) or None
        key = (email or name or "").strip()
        if not key:
            self.bad(f"row {n} (line {n + 1})", t("checkin.person"), "an empty cell")
            return None
        ident = self.people.get(key.lower())
        if ident is None:
            self.people[key.lower()] = Identity(channel=self.channel, key=key, display_name=name, email=email)
        elif name and not ident.display_name:
            ident.display_name = name
        return key

    def _date(self, value: str | None, n: int, dayfirst: bool = True) -> datetime | None:
        if value is None:
            return None
        d = parse_date(value, dayfirst, self.fmt)
        if d is None:
            self.bad(f"row {n} (line {n + 1})", t("checkin.date"), repr(value))
        return d

    def _event(self, key: str, name: str | None, start: datetime | None) -> str:
        ev = self.events.get(key)
        if ev is None:
            ev = self.events[key] = Event(id=self.event_id(key), channel=self.channel, name=name or key,
                                          starts_at=start)
        elif start is not None and (ev.starts_at is None or start < ev.starts_at):
            ev.starts_at = start
        return ev.id

    def _when(self, *candidates: datetime | None) -> datetime:
        for c in candidates:
            if c is not None:
                return c
        self.undated += 1
        return self.mtime

    # -- layouts ----------------------------------------------------------------------------
    def _long(self, rows: list[list[str]], cols: dict[str, str], idx: dict[str, int], acts: list[Activity]) -> None:
        for n, row in enumerate(rows, 1):
            if not any(c.strip() for c in row):
                continue
            who = self._person(row, cols, idx, n)
            raw_date = self._get(row, cols, idx, "date")
            date = self._date(raw_date, n)
            label = self._get(row, cols, idx, "event")
            ekey = self._get(row, cols, idx, "event_id") or label or (date.date().isoformat() if date else None)
            if who is None or (raw_date and date is None):
                continue
            if ekey is None:
                self.bad(f"row {n} (line {n + 1})", t("checkin.no_event"), "empty cells")
                continue
            status = self._get(row, cols, idx, "status")
            kind = STATUS.get(_norm(status), "attend") if status else "attend"
            eid = self._event(ekey, label, date)
            ev_start = self.events[ekey].starts_at
            native = {"status": status} if status else None
            acts.append(Activity(id=self.act_id(f"{ekey}/{who.lower()}"), channel=self.channel, kind=kind,
                                 ts=self._when(date, ev_start), actor=who, thread_id=eid, native=native))

    def _wide(self, header: list[str], rows: list[list[str]], cols: dict[str, str], idx: dict[str, int],
              acts: list[Activity]) -> None:
        person_cols = {cols[f] for f in ("name", "email", "first_name", "last_name") if f in cols}
        event_cols = [h for h in header if h not in person_cols and _norm(h) not in
                      set().union(*(COLUMNS[f] for f in ("status", "checkin_time", "order", "ticket")))]
        dated = [h for h in event_cols if parse_date(h, True, self.fmt) is not None]
        if dated:  # a grid of dates: the other columns (phone, company …) are not events
            event_cols = dated
        if not event_cols:
            self.bad("the header", t("checkin.no_event"), ", ".join(header))
            return
        for n, row in enumerate(rows, 1):
            if not any(c.strip() for c in row):
                continue
            who = self._person(row, cols, idx, n)
            if who is None:
                continue
            for h in event_cols:
                v = row[idx[h]].strip() if idx[h] < len(row) else ""
                if not v:
                    continue
                start = parse_date(h, True, self.fmt)
                eid = self._event(h, h, start)
                kind = STATUS.get(_norm(v), "attend")
                acts.append(Activity(id=self.act_id(f"{h}/{who.lower()}"), channel=self.channel, kind=kind,
                                     ts=self._when(start), actor=who, thread_id=eid, native={"mark": v}))

    def _eventbrite(self, rows: list[list[str]], cols: dict[str, str], idx: dict[str, int],
                    acts: list[Activity]) -> None:
        status_col = cols.get("status")
        checked_col = next((h for h in idx if _norm(h) in ("checked in", "checked-in")), None)
        statuses = [_norm(r[idx[status_col]]) for r in rows if status_col and idx[status_col] < len(r)]
        knows_checkin = checked_col is not None or "checked in" in statuses or "checked-in" in statuses
        default_event = self.path.stem
        for n, row in enumerate(rows, 1):
            if not any(c.strip() for c in row):
                continue
            who = self._person(row, cols, idx, n)
            if who is None:
                continue
            order_date = self._date(self._get(row, cols, idx, "order_date"), n, dayfirst=False)
            ev_date = self._date(self._get(row, cols, idx, "date"), n, dayfirst=False)
            checkin_time = self._date(self._get(row, cols, idx, "checkin_time"), n, dayfirst=False)
            label = self._get(row, cols, idx, "event")
            ekey = self._get(row, cols, idx, "event_id") or label or default_event
            eid = self._event(ekey, label, ev_date)
            aid = self._get(row, cols, idx, "attendee_id")
            order = self._get(row, cols, idx, "order")
            native_id = aid or f"{order or ''}/{ekey}/{who.lower()}"
            status = self._get(row, cols, idx, "status") if status_col else None
            kind = STATUS.get(_norm(status), "rsvp_yes") if status else "rsvp_yes"
            checked = kind == "attend"
            if checked_col is not None:
                cell = self._get(row, {"c": checked_col}, idx, "c")
                checked = checked or STATUS.get(_norm(cell or "")) == "attend" or checkin_time is not None
            native = {k: v for k, v in {"order": order, "attendee": aid, "status": status,
                                        "ticket": self._get(row, cols, idx, "ticket")}.items() if v}
            rsvp = "rsvp_yes" if kind in ("attend", "no_show") else kind
            acts.append(Activity(id=self.act_id(f"rsvp/{native_id}"), channel=self.channel, kind=rsvp,
                                 ts=self._when(order_date, ev_date), actor=who, thread_id=eid, native=native))
            if rsvp == "rsvp_yes" and (knows_checkin or kind == "no_show"):
                self.order_dated += checkin_time is None and ev_date is None and order_date is not None
                acts.append(Activity(id=self.act_id(f"presence/{native_id}"), channel=self.channel,
                                     kind="attend" if checked else "no_show",
                                     ts=self._when(checkin_time, ev_date, order_date), actor=who, thread_id=eid,
                                     native=native))


__all__ = ["CheckinSource", "parse_date"]
