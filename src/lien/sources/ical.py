"""iCalendar (RFC 5545): events, their organisers and their attendees' answers.

- Every ``VEVENT`` becomes an event: ``SUMMARY`` is the name, ``LOCATION`` the place, an
  absolute ``URL`` the url. Cancelled events (``STATUS:CANCELLED``) are left out (they did
  not happen), and counted in the summary's warnings.
- Times become UTC. A time with a ``TZID`` or a ``Z`` is converted; a *floating* time (no
  zone) is read in the calendar's ``X-WR-TIMEZONE`` when it names a known zone, else taken
  as UTC. An all-day event (a ``DATE``) starts at midnight of its day as written, with no
  conversion (the day stays the day), and ``native.all_day`` is true.
- The end is ``DTEND``, else ``DTSTART`` + ``DURATION``, else the RFC 5545 default: one day
  for an all-day event, the start itself for a timed one.
- Recurring events (``RRULE``/``RDATE``) are expanded into occurrences, with
  ``RECURRENCE-ID`` overrides and ``EXDATE`` respected (by recurring-ical-events), within a
  window: ``since``/``until`` (``--since``/``--until``, YYYY-MM-DD, both days included), by
  default from the day of the first ``DTSTART`` in the file to one year after the later of
  today and the last ``DTSTART``. A series gives at most :data:`MAX_OCCURRENCES` occurrences
  (a warning says when an endless rule was cut). An occurrence's id is its ``UID`` and its
  ``RECURRENCE-ID`` (the start it had in the series), so it is stable when an override
  moves it; a one-off event's id is its ``UID``.
- ``ORGANIZER`` becomes a ``host`` act; ``ATTENDEE`` with ``PARTSTAT`` ACCEPTED, DECLINED,
  TENTATIVE becomes ``rsvp_yes``, ``rsvp_no``, ``rsvp_maybe`` addressed to the organiser.
  NEEDS-ACTION (or no ``PARTSTAT``) is an invitation nobody answered and DELEGATED hands
  the answer to someone else: neither is an act (counted in the warnings). Attendees that
  are rooms, resources or Google calendars (``CUTYPE=ROOM/RESOURCE``,
  ``…@group.calendar.google.com``) are not people and are left out.
- People are keyed by their ``mailto:`` address, named by ``CN``.
- When the acts happened: the event's start, for hosts and answers alike, since a calendar
  does not say when an answer was given; except in an iTIP reply (``METHOD:REPLY``), whose
  ``DTSTAMP`` is the moment the answer was sent.
- Channel: ``calendar:<X-WR-CALNAME or the file's name>``.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, ClassVar, Iterator
from zoneinfo import ZoneInfo

from .. import i18n
from .base import Activity, Batch, Event, Identity, Source

#: occurrences kept per recurring series (an endless daily rule over decades is cut there)
MAX_OCCURRENCES = 2000

#: one-off events are kept whatever the window (it only bounds the expansion of series)
ALL_TIME_START, ALL_TIME_END = datetime(1800, 1, 1), datetime(2300, 1, 1)

PARTSTAT_KIND = {"ACCEPTED": "rsvp_yes", "DECLINED": "rsvp_no", "TENTATIVE": "rsvp_maybe"}
NOT_PEOPLE_CUTYPES = {"ROOM", "RESOURCE"}
NOT_PEOPLE_DOMAINS = ("@group.calendar.google.com", "@resource.calendar.google.com",
                      "@group.v.calendar.google.com", "@import.calendar.google.com")

i18n.register({
    "ical.unanswered": {"en": "{n} invitations without an answer (PARTSTAT NEEDS-ACTION or none) are not acts",
                        "fr": "{n} invitations sans réponse (PARTSTAT NEEDS-ACTION ou absent) ne sont pas des actes"},
    "ical.delegated": {"en": "{n} attendances delegated to someone else (PARTSTAT DELEGATED) are not acts",
                       "fr": "{n} participations déléguées (PARTSTAT DELEGATED) ne sont pas des actes"},
    "ical.cancelled": {"en": "{n} cancelled events (STATUS:CANCELLED) left out",
                       "fr": "{n} événements annulés (STATUS:CANCELLED) ignorés"},
    "ical.capped": {"en": "recurring event {uid!r} cut after {n} occurrences (narrow the window with --since/--until)",
                    "fr": "événement récurrent {uid!r} coupé après {n} occurrences (réduisez la fenêtre avec --since/--until)"},
    "ical.not_people": {"en": "{n} attendees that are rooms, resources or calendars left out",
                        "fr": "{n} participants qui sont des salles, ressources ou agendas ignorés"},
    "ical.window": {"en": "recurring events expanded from {since} to {until}",
                    "fr": "événements récurrents développés du {since} au {until}"},
})


def _address(value: Any) -> str | None:
    s = str(value).strip()
    if s.lower().startswith("mailto:"):
        s = s[7:]
    return s.strip().lower() or None


def _param(prop: Any, name: str) -> str | None:
    params = getattr(prop, "params", None) or {}
    v = params.get(name)
    return str(v) if v is not None else None


def _day(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        from ..errors import UsageError

        raise UsageError(f"{what}: expected a date YYYY-MM-DD, found {value!r}") from None


class ICalSource(Source):
    """iCalendar files (.ics): events, organisers as hosts, attendees' answers as RSVPs."""

    name = "ical"
    label = "iCalendar (.ics)"
    version = "1"
    kinds: ClassVar[tuple[str, ...]] = ("host", "rsvp_yes", "rsvp_no", "rsvp_maybe")

    @classmethod
    def detect(cls, path: Path, head: bytes) -> int:
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n").upper()
        if text.startswith(b"BEGIN:VCALENDAR"):
            return 90
        if path.suffix.lower() in (".ics", ".ical", ".ifb", ".icalendar"):
            return 10
        return 0

    # -- reading ---------------------------------------------------------------------------
    def read(self) -> Iterator[Batch]:
        import icalendar

        data = self.path.read_bytes()
        try:
            cal = icalendar.Calendar.from_ical(data)
        except (ValueError, KeyError, IndexError, TypeError) as e:
            self.bad("the file", "an iCalendar file (RFC 5545)", str(e).splitlines()[0] if str(e) else type(e).__name__)
            return
        if isinstance(cal, list):  # several VCALENDARs in one file: read the first, say so
            cal = cal[0]
        if getattr(cal, "name", "") != "VCALENDAR":
            self.bad("the file", "a VCALENDAR", getattr(cal, "name", type(cal).__name__))
            return
        calname = str(cal.get("X-WR-CALNAME") or "").strip() or self.path.stem
        self.channel = self.default_channel(f"calendar:{calname}")
        self.zone = self._zone(cal.get("X-WR-TIMEZONE"))
        self.method = str(cal.get("METHOD") or "").upper()
        vevents = []
        for i, v in enumerate(cal.walk("VEVENT"), 1):
            if self._valid(v, i):
                vevents.append(v)
            else:  # with --skip-bad: leave the broken event out of the expansion too
                self._drop(cal, v)
        recurring = {str(v.get("UID")) for v in vevents
                     if v.get("RRULE") is not None or v.get("RDATE") is not None or v.get("RECURRENCE-ID") is not None}
        since, until = self._window(vevents)
        self.counts: Counter[str] = Counter()

        import recurring_ical_events

        try:
            query = recurring_ical_events.of(cal, keep_recurrence_attributes=True)
        except Exception as e:  # the library's own errors for broken rules, dates mixed with times ...
            self.bad("the file", "well-formed recurring events", f"{type(e).__name__}: {e}")
            return
        lo = datetime.combine(since, datetime.min.time())
        hi = datetime.combine(until + timedelta(days=1), datetime.min.time())
        events: list[Event] = []
        acts: list[Activity] = []
        idents: dict[str, Identity] = {}
        for series in query.series:
            n = 0
            uid = str(getattr(series, "uid", "") or "")
            a, b = (lo, hi) if uid in recurring else (ALL_TIME_START, ALL_TIME_END)
            try:
                for occ in series.between(a, b):
                    comp = occ.as_component(True)
                    n += 1
                    if n > MAX_OCCURRENCES:
                        self.warn(i18n.t("ical.capped", uid=str(comp.get("UID")), n=MAX_OCCURRENCES))
                        break
                    self._occurrence(comp, recurring, events, acts, idents)
            except Exception as e:  # a broken series: name it, keep or stop per --skip-bad
                self.bad(f"event UID {uid or '?'}", "a well-formed recurring event", f"{type(e).__name__}: {e}")
                continue
            if len(events) + len(acts) >= self.options.chunk_size:
                yield Batch(identities=list(idents.values()), events=events, activities=acts, records=len(events))
                events, acts, idents = [], [], {}
        yield Batch(identities=list(idents.values()), events=events, activities=acts, records=len(events))
        if any(s.get("RRULE") is not None or s.get("RDATE") is not None for s in vevents):
            self.warn(i18n.t("ical.window", since=since.isoformat(), until=until.isoformat()))
        for key in ("unanswered", "delegated", "cancelled", "not_people"):
            if self.counts[key]:
                self.warn(i18n.t(f"ical.{key}", n=self.counts[key]))

    def _valid(self, v: Any, i: int) -> bool:
        where = f"VEVENT {i} (UID {v.get('UID')})"
        for prop in ("DTSTART", "DTEND", "RECURRENCE-ID"):
            if prop not in v:
                if prop == "DTSTART":
                    self.bad(where, "a DTSTART", "none")
                    return False
                continue
            try:
                v[prop].dt
            except Exception:
                raw = getattr(v.get(prop), "to_ical", lambda: v.get(prop))()
                self.bad(where, f"a {prop} date or date-time",
                         raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw))
                return False
        return True

    @staticmethod
    def _drop(cal: Any, comp: Any) -> None:
        for parent in [cal, *cal.subcomponents]:
            if comp in parent.subcomponents:
                parent.subcomponents.remove(comp)
                return

    def _window(self, vevents: list[Any]) -> tuple[date, date]:
        extra = self.options.extra
        starts = []
        for v in vevents:
            try:
                d = v["DTSTART"].dt
            except Exception:  # no or a broken DTSTART: reported when the event is read
                continue
            if isinstance(d, date):
                starts.append(d.date() if isinstance(d, datetime) else d)
        today = datetime.now(timezone.utc).date()
        since = _day(extra["since"], "--since") if extra.get("since") else (min(starts) if starts else today)
        if extra.get("until"):
            until = _day(extra["until"], "--until")
        else:
            until = max([today, *starts]) + timedelta(days=365)
        return since, until

    @staticmethod
    def _zone(value: Any) -> ZoneInfo | None:
        if not value:
            return None
        try:
            return ZoneInfo(str(value).strip())
        except (KeyError, ValueError):
            return None

    def _ts(self, value: Any) -> datetime | None:
        if isinstance(value, datetime):
            if value.tzinfo is None and self.zone is not None:
                value = value.replace(tzinfo=self.zone)
            return self.utc(value)
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day)
        return None

    def _occurrence(self, comp: Any, recurring: set[str], events: list[Event], acts: list[Activity],
                    idents: dict[str, Identity]) -> None:
        uid = str(comp.get("UID") or "").strip()
        status = str(comp.get("STATUS") or "").upper()
        if status == "CANCELLED":
            self.counts["cancelled"] += 1
            return
        start_raw = comp["DTSTART"].dt
        all_day = not isinstance(start_raw, datetime)
        start = self._ts(start_raw)
        end_prop = comp.get("DTEND")
        if end_prop is not None:
            end = self._ts(end_prop.dt)
        elif all_day:
            end = start + timedelta(days=1) if start else None
        else:
            end = start
        native_id = uid or f"{start.isoformat() if start else ''}:{comp.get('SUMMARY')}"
        rid = None
        if uid in recurring and comp.get("RECURRENCE-ID") is not None:
            r = self._ts(comp["RECURRENCE-ID"].dt)
            rid = r.isoformat() if r else None
            native_id = f"{uid}#{rid}"
        ev_id = self.event_id(native_id)
        url = str(comp.get("URL") or "").strip()
        native: dict[str, Any] = {"uid": uid}
        if rid:
            native["recurrence_id"] = rid
        if all_day:
            native["all_day"] = True
        if status:
            native["status"] = status
        if url and not url.lower().startswith(("http://", "https://")):
            native["url"] = url
            url = ""
        events.append(Event(
            id=ev_id, channel=self.channel, name=_text(comp.get("SUMMARY")), starts_at=start, ends_at=end,
            place=_text(comp.get("LOCATION")), url=url or None, native=native,
        ))
        if start is None:
            return
        organizer = None
        org = comp.get("ORGANIZER")
        if org is not None:
            organizer = _address(org)
            if organizer:
                self._identity(idents, organizer, _param(org, "CN"))
                acts.append(Activity(
                    id=self.act_id(f"{native_id}:host:{organizer}"), channel=self.channel, kind="host", ts=start,
                    actor=organizer, thread_id=ev_id, title=_text(comp.get("SUMMARY")),
                ))
        answered = start
        if self.method == "REPLY" and comp.get("DTSTAMP") is not None:
            answered = self._ts(comp["DTSTAMP"].dt) or start
        attendees = comp.get("ATTENDEE")
        if attendees is None:
            return
        if not isinstance(attendees, list):
            attendees = [attendees]
        for att in attendees:
            who = _address(att)
            cutype = (_param(att, "CUTYPE") or "INDIVIDUAL").upper()
            if not who or cutype in NOT_PEOPLE_CUTYPES or who.endswith(NOT_PEOPLE_DOMAINS):
                self.counts["not_people"] += 1
                continue
            partstat = (_param(att, "PARTSTAT") or "NEEDS-ACTION").upper()
            kind = PARTSTAT_KIND.get(partstat)
            if kind is None:
                self.counts["delegated" if partstat == "DELEGATED" else "unanswered"] += 1
                continue
            self._identity(idents, who, _param(att, "CN"))
            acts.append(Activity(
                id=self.act_id(f"{native_id}:rsvp:{who}"), channel=self.channel, kind=kind, ts=answered,
                actor=who, thread_id=ev_id, target=organizer if organizer != who else None,
                title=_text(comp.get("SUMMARY")),
                native={"partstat": partstat, "role": _param(att, "ROLE"), "cutype": cutype,
                        "guests": _param(att, "X-NUM-GUESTS")},
            ))

    def _identity(self, idents: dict[str, Identity], email: str, cn: str | None) -> None:
        name = cn.strip() if cn and cn.strip() and cn.strip().lower() != email else None
        prev = idents.get(email)
        if prev is None or (name and not prev.display_name):
            idents[email] = Identity(channel=self.channel, key=email, display_name=name,
                                     email=email if "@" in email else None)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    return s or None


__all__ = ["ICalSource", "MAX_OCCURRENCES"]
