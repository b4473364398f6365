"""Meetup: events, RSVPs, hosts, attendance and comments, from what Meetup gives organisers.

Inputs, told apart by their content:

- API JSON (v3 lists, or the v2 pages ``{"results": [...], "meta": {...}}``) of events
  (``/:urlname/events``), RSVPs (``/:urlname/events/:id/rsvps``, ``/2/rsvps``), event
  comments and attendance (``/:urlname/events/:id/attendance``);
- the RSVP stream (``stream.meetup.com/2/rsvps``) saved as JSON Lines;
- the attendee list an organiser downloads for one event (CSV or tab-separated: Name,
  User ID, Title, Event Host, RSVP, Guests, RSVPed on, Joined Group on, URL of Member
  Profile, and in newer exports Attendance and Notes).

What becomes what: an event into ``events`` (``rsvp_limit`` as capacity, ``time`` +
``duration`` as start and end); an RSVP ``yes``/``no``/``waitlist`` into
``rsvp_yes``/``rsvp_no``/``waitlist`` (one per member and event: a changed answer updates
it; in the stream, the latest ``mtime`` wins); event hosts (``event_hosts``,
``event_context.host``, the CSV's Event Host) into ``host``; attendance ``attended`` /
``noshow`` into ``attend`` / ``no_show``; comments into ``comment``, their replies into
``reply``. Every act on an event has the event as ``thread_id``.

Members live on channel ``meetup`` (one Meetup account, whatever the group), keyed by their
member id, with their profile URL; acts are on ``meetup:<group urlname>``. An event's id
comes from its group and the number in its ``/events/<id>/`` link when there is one (the
number other records refer to), else its ``id``.
"""
from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, ClassVar, Iterator

import orjson

from .. import i18n
from .base import Activity, Batch, Event, Identity, Source

MEMBERS = "meetup"
RESPONSE_KIND = {"yes": "rsvp_yes", "no": "rsvp_no", "waitlist": "waitlist", "maybe": "rsvp_maybe"}
ATTENDANCE_KIND = {"attended": "attend", "noshow": "no_show", "no_show": "no_show"}
CSV_RSVP_KIND = {"yes": "rsvp_yes", "no": "rsvp_no", "waitlist": "waitlist", "waiting list": "waitlist",
                 "waiting": "waitlist", "maybe": "rsvp_maybe"}
CSV_ATTENDED = {"y", "yes", "attended", "checked in", "checked_in", "x", "1", "true"}
CSV_NOSHOW = {"n", "no", "no show", "no-show", "noshow", "no_show", "0", "false"}
CSV_HEADER = ("Name", "User ID", "RSVP")
_EVENT_LINK = re.compile(r"meetup\.com/([^/?#]+)/events/([^/?#]+)", re.I)
_MEMBER_LINK = re.compile(r"meetup\.com/(?:([^/?#]+)/)?members/(\d+)", re.I)
_JSON_MARKERS = (b'"rsvp_id"', b'"yes_rsvp_count"', b'"event_hosts"', b'"urlname"', b'"group_urlname"',
                 b'"rsvp_limit"', b'meetup.com/', b'meetupstatic.com', b'"event_context"', b'"waitlist_count"')
CSV_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d", "%B %d, %Y %H:%M",
                    "%B %d, %Y %I:%M %p", "%b %d, %Y %I:%M %p", "%b %d, %Y %H:%M", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M %p",
                    "%m/%d/%Y", "%d/%m/%Y %H:%M", "%B %d, %Y")

i18n.register({
    "meetup.unanswered": {"en": "{n} RSVPs with an answer that is not yes, no, waitlist or maybe left out",
                          "fr": "{n} réponses autres que oui, non, liste d'attente ou peut-être ignorées"},
    "meetup.absent": {"en": "{n} attendance records neither 'attended' nor 'noshow' (absent, excused ...) are not acts",
                      "fr": "{n} présences ni « attended » ni « noshow » (absent, excusé …) ne sont pas des actes"},
    "meetup.older": {"en": "{n} stream records older than a later answer of the same member to the same event",
                     "fr": "{n} messages du flux plus anciens qu'une réponse ultérieure du même membre au même événement"},
    "meetup.former": {"en": "{n} acts by former members (id 0) kept without a person",
                      "fr": "{n} actes d'anciens membres (id 0) gardés sans personne"},
    "meetup.csv_when": {"en": "the attendee list does not say when the event was: attendance and hosting dated at "
                              "the last RSVP ({ts}); give --event-start to date them",
                        "fr": "la liste des participants ne dit pas quand l'événement a eu lieu : présences et "
                              "animation datées de la dernière réponse ({ts}) ; indiquez --event-start pour les dater"},
})


def _ms(value: Any) -> datetime | None:
    """Meetup's times: milliseconds since the epoch, in UTC."""
    if value is None or value == "":
        return None
    try:
        return datetime.fromtimestamp(int(value) / 1000, tz=timezone.utc).replace(tzinfo=None)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _s(value: Any) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    return s or None


class MeetupSource(Source):
    """Meetup API JSON (v2 pages, v3 lists), the RSVP stream and attendee list exports."""

    name = "meetup"
    label = "Meetup (API JSON, RSVP stream, attendee CSV)"
    version = "1"
    kinds: ClassVar[tuple[str, ...]] = ("rsvp_yes", "rsvp_no", "rsvp_maybe", "waitlist", "attend", "no_show",
                                        "host", "comment", "reply")

    @classmethod
    def detect(cls, path: Path, head: bytes) -> int:
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if text[:1] in (b"{", b"["):
            hits = sum(1 for m in _JSON_MARKERS if m in head)
            if b'"rsvp_id"' in head or b'"yes_rsvp_count"' in head:
                return 85
            if hits >= 2:
                return 70
            if b'"member"' in head and b'"status"' in head and (b'"attended"' in head or b'"noshow"' in head):
                return 70  # an attendance list
            return 0
        first = _decode_head(head).split("\n", 1)[0]
        if all(h in first for h in CSV_HEADER) and ("URL of Member Profile" in first or "RSVPed on" in first):
            return 85
        return 0

    # -- entry -----------------------------------------------------------------------------
    def read(self) -> Iterator[Batch]:
        self.counts: Counter[str] = Counter()
        self._reset()
        raw = self.path.read_bytes()
        head = raw[:8192]
        start = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if start in (b"{", b"["):
            yield from self._read_json(raw)
        elif self.detect(self.path, head):
            yield from self._read_csv(raw)
        else:
            self.bad("the file", "Meetup API JSON, the RSVP stream or an attendee list", repr(head[:40]))
            return
        for key, msg in (("unanswered", "meetup.unanswered"), ("absent", "meetup.absent"),
                         ("older", "meetup.older"), ("former", "meetup.former")):
            if self.counts[key]:
                self.warn(i18n.t(msg, n=self.counts[key]))

    def _reset(self) -> None:
        self.events: dict[str, Event] = {}
        self.acts: list[Activity] = []
        self.idents: dict[str, Identity] = {}
        self.records = 0

    def _flush(self, force: bool = False) -> Iterator[Batch]:
        if force or len(self.acts) + len(self.events) >= self.options.chunk_size:
            if self.acts or self.events or self.idents or self.records:
                events = list(self.events.values())
                partial = [e for e in events if e.native and e.native.get("partial")]
                full = [e for e in events if not (e.native and e.native.get("partial"))]
                batch = Batch(identities=list(self.idents.values()), activities=self.acts,
                              events=full if self.con is not None else events,
                              records=self.records)
                if partial and self.con is not None:
                    # what an RSVP or an attendance record says of its event fills in, and never
                    # blanks out, what an events list said before (the loader replaces whole rows)
                    # a temp table, not con.register(): inside the import's transaction a registered
                    # view keeps its Arrow table alive until the commit (memory grows with the input)
                    self.con.abort()  # the relational API refuses to run beside an unread result
                    self.con.from_arrow(_events_table(partial)).query(
                        "_p", "CREATE OR REPLACE TEMP TABLE _meetup_partial AS SELECT * FROM _p")
                    batch.sql["events"] = """
                        SELECT n.id, n.channel, coalesce(n.name, e.name) AS name,
                               coalesce(n.starts_at, e.starts_at) AS starts_at, coalesce(n.ends_at, e.ends_at) AS ends_at,
                               coalesce(n.place, e.place) AS place, coalesce(n.url, e.url) AS url,
                               coalesce(n.capacity, e.capacity) AS capacity,
                               coalesce(CAST(e.native AS VARCHAR), n.native) AS native
                        FROM _meetup_partial n LEFT JOIN events e ON e.id = n.id"""
                    try:
                        yield batch
                    finally:
                        self.con.execute("DROP TABLE IF EXISTS _meetup_partial").fetchall()
                else:
                    yield batch
            self._reset()

    # -- JSON ------------------------------------------------------------------------------
    def _read_json(self, raw: bytes) -> Iterator[Batch]:
        try:
            doc = orjson.loads(raw)
        except orjson.JSONDecodeError as e:
            first = next((ln.strip() for ln in io.BytesIO(raw) if ln.strip()), b"")
            try:
                one_per_line = first.startswith(b"{") and isinstance(orjson.loads(first), dict)
            except orjson.JSONDecodeError:
                one_per_line = False
            if one_per_line:  # JSON Lines: the RSVP stream
                yield from self._read_stream(raw)
            else:
                self.bad("the file", "a JSON document", str(e))
            return
        if isinstance(doc, dict) and isinstance(doc.get("results"), list):
            items = doc["results"]  # a v2 page
        elif isinstance(doc, dict) and isinstance(doc.get("attendance"), list):
            items = [dict(a, event=a.get("event") or doc.get("event")) for a in doc["attendance"]]
        elif isinstance(doc, list):
            items = doc
        elif isinstance(doc, dict):
            items = [doc]
        else:
            self.bad("the file", "a list of Meetup records or a page with 'results'", type(doc).__name__)
            return
        for n, item in enumerate(items, 1):
            self.records += 1
            self._record(item, f"item {n}")
            yield from self._flush()
        yield from self._flush(force=True)

    def _read_stream(self, raw: bytes) -> Iterator[Batch]:
        latest: dict[str, int] = {}  # rsvp -> latest mtime emitted, so that a late older message loses
        for n, line in enumerate(io.BytesIO(raw), 1):
            s = line.strip()
            if not s:
                continue
            try:
                item = orjson.loads(s)
            except orjson.JSONDecodeError as e:
                shown = s[:60].decode("utf-8", "replace") + ("…" if len(s) > 60 else "")
                self.bad(f"line {n}", "one JSON object", f"{shown} ({e})")
                continue
            if not isinstance(item, dict):
                self.bad(f"line {n}", "one JSON object", type(item).__name__)
                continue
            self.records += 1
            mtime = item.get("mtime")
            if "rsvp_id" in item and isinstance(mtime, int):
                key = self._rsvp_key(item)
                if key is not None:
                    if key in latest and latest[key] > mtime:
                        self.counts["older"] += 1
                        continue
                    latest[key] = mtime
            self._record(item, f"line {n}")
            yield from self._flush()
        yield from self._flush(force=True)

    def _rsvp_key(self, item: dict[str, Any]) -> str | None:
        ev, mem = item.get("event") or {}, item.get("member") or {}
        eid = ev.get("event_id") or ev.get("id")
        mid = mem.get("member_id") or mem.get("id")
        return f"{eid}/{mid}" if eid is not None and mid is not None else None

    # -- one record ------------------------------------------------------------------------
    def _record(self, item: Any, where: str) -> None:
        if not isinstance(item, dict):
            self.bad(where, "a Meetup record (an object)", type(item).__name__)
            return
        member = item.get("member")
        if "response" in item and isinstance(member, dict) and isinstance(item.get("event"), dict):
            self._rsvp(item, where)
        elif "comment" in item and isinstance(member, dict):
            self._comment(item, where)
        elif "status" in item and isinstance(member, dict) and "time" not in item:
            self._attendance(item, where)
        elif "time" in item and ("name" in item or "event_url" in item or "link" in item):
            self._event(item, where)
        else:
            self.bad(where, "a Meetup event, RSVP, comment or attendance record",
                     f"keys {', '.join(sorted(map(str, item))[:8])}")

    def _group_of(self, item: dict[str, Any], link: str | None = None) -> str | None:
        g = item.get("group") or {}
        urlname = g.get("urlname") or g.get("group_urlname") if isinstance(g, dict) else None
        if not urlname and link:
            m = _EVENT_LINK.search(link)
            urlname = m.group(1) if m else None
        if not urlname:
            ev = self.options.extra.get("event") or ""
            m = _EVENT_LINK.search(str(ev))
            urlname = m.group(1) if m else self.options.extra.get("group")
        return str(urlname).lower() if urlname else None

    def _channel(self, urlname: str | None) -> str:
        return self.default_channel(f"meetup:{urlname}" if urlname else f"meetup:{self.path.stem}")

    def _event_ref(self, urlname: str | None, native_id: Any, link: str | None) -> str:
        """The event's id: group + the number in its link (what RSVPs and comments cite), else its id."""
        m = _EVENT_LINK.search(link or "")
        eid = m.group(2) if m else _s(native_id)
        if m and not urlname:
            urlname = m.group(1).lower()
        return self.event_id(f"{urlname or ''}/{eid}")

    def _member(self, m: dict[str, Any]) -> str | None:
        mid = m.get("id", m.get("member_id"))
        if mid is None or str(mid).strip() in ("", "0"):
            if mid is not None:
                self.counts["former"] += 1
            return None
        key = str(mid).strip()
        if key not in self.idents:
            self.idents[key] = Identity(channel=MEMBERS, key=key, display_name=_s(m.get("name") or m.get("member_name")),
                                        url=f"https://www.meetup.com/members/{key}/")
        return key

    def _add_event(self, ev_id: str, channel: str, name: Any, start: datetime | None, **kw: Any) -> None:
        prev = self.events.get(ev_id)
        if prev is not None and kw.get("partial") and prev.native and not prev.native.get("partial"):
            return  # a full event read from an events list beats what an RSVP says of it
        native = kw.pop("native", None) or {}
        if kw.pop("partial", False):
            native["partial"] = True
        self.events[ev_id] = Event(id=ev_id, channel=channel, name=_s(name), starts_at=start, native=native or None, **kw)

    def _event(self, item: dict[str, Any], where: str) -> None:
        link = _s(item.get("link") or item.get("event_url"))
        urlname = self._group_of(item, link)
        channel = self._channel(urlname)
        start = _ms(item.get("time"))
        if start is None:
            self.bad(where, "an event time (milliseconds since 1970)", repr(item.get("time")))
            return
        ev_id = self._event_ref(urlname, item.get("id"), link)
        dur = item.get("duration")
        end = start + timedelta(milliseconds=int(dur)) if isinstance(dur, (int, float)) and dur > 0 else None
        venue = item.get("venue") or {}
        self._add_event(ev_id, channel, item.get("name"), start, ends_at=end, place=_place(venue), url=link,
                        capacity=item.get("rsvp_limit") if isinstance(item.get("rsvp_limit"), int) else None,
                        native={"meetup_id": _s(item.get("id")), "status": item.get("status"),
                                "yes_rsvp_count": item.get("yes_rsvp_count"),
                                "waitlist_count": item.get("waitlist_count")})
        for h in item.get("event_hosts") or []:
            if isinstance(h, dict):
                self._host(h, ev_id, channel, start, item.get("name"))

    def _host(self, m: dict[str, Any], ev_id: str, channel: str, start: datetime, title: Any) -> None:
        key = self._member(m)
        if key is None:
            return
        self.acts.append(Activity(id=self.act_id(f"host:{ev_id}:{key}"), channel=channel, kind="host", ts=start,
                                  actor=key, actor_channel=MEMBERS, thread_id=ev_id, title=_s(title)))

    def _rsvp(self, item: dict[str, Any], where: str) -> None:
        ev = item["event"]
        link = _s(ev.get("event_url") or ev.get("link"))
        urlname = self._group_of(item, link)
        channel = self._channel(urlname)
        ev_id = self._event_ref(urlname, ev.get("id", ev.get("event_id")), link)
        start = _ms(ev.get("time"))
        name = ev.get("name") or ev.get("event_name")
        venue = item.get("venue") or {}
        if link is None and urlname and ev.get("id", ev.get("event_id")) is not None:
            link = f"https://www.meetup.com/{urlname}/events/{ev.get('id', ev.get('event_id'))}/"
        self._add_event(ev_id, channel, name, start, place=_place(venue), url=link, partial=True,
                        native={"meetup_id": _s(ev.get("id", ev.get("event_id")))})
        response = str(item.get("response") or "").lower()
        kind = RESPONSE_KIND.get(response)
        ts = _ms(item.get("mtime") or item.get("updated") or item.get("created")) or start
        if ts is None:
            self.bad(where, "an RSVP time (mtime, updated or created)", "none")
            return
        member = item["member"]
        key = self._member(member)
        if kind is None:
            self.counts["unanswered"] += 1
        else:
            self.acts.append(Activity(
                id=self.act_id(f"rsvp:{ev_id}:{key or item.get('rsvp_id')}"), channel=channel, kind=kind, ts=ts,
                actor=key, actor_channel=MEMBERS, thread_id=ev_id, title=_s(name),
                native={"rsvp_id": item.get("rsvp_id"), "guests": item.get("guests"), "response": response},
            ))
        ctx = member.get("event_context") or {}
        if isinstance(ctx, dict) and ctx.get("host") is True and start is not None:
            self._host(member, ev_id, channel, start, name)
        status = item.get("attendance_status")
        if status and start is not None:
            self._attended(str(status), key, ev_id, channel, start, name, where)

    def _attendance(self, item: dict[str, Any], where: str) -> None:
        ev = item.get("event") or {}
        extra_ev = self.options.extra.get("event")
        link = _s(ev.get("link") or ev.get("event_url")) if isinstance(ev, dict) else None
        if not link and extra_ev:
            link = str(extra_ev)
        urlname = self._group_of(item, link)
        eid = (ev.get("id") or ev.get("event_id")) if isinstance(ev, dict) else ev
        if eid is None and not (link and _EVENT_LINK.search(link)):
            self.bad(where, "an attendance record with its event (an 'event' field, or the event's link given "
                            "with --event)", "no event")
            return
        ev_id = self._event_ref(urlname, eid, link)
        start = (_ms(ev.get("time")) if isinstance(ev, dict) else None) or _when(self.options.extra.get("event_start"))
        if start is None:
            self.bad(where, "the event's time (in the record's 'event', or given with --event-start)", "none")
            return
        channel = self._channel(urlname)
        name = ev.get("name") if isinstance(ev, dict) else None
        self._add_event(ev_id, channel, name, start, url=link, partial=True)
        self._attended(str(item.get("status")), self._member(item["member"]), ev_id, channel, start, name, where)

    def _attended(self, status: str, key: str | None, ev_id: str, channel: str, start: datetime, title: Any,
                  where: str = "") -> None:
        kind = ATTENDANCE_KIND.get(status.lower())
        if kind is None:
            self.counts["absent"] += 1
            return
        who = key if key is not None else f"former member, {where}"  # id 0: told apart by their place
        self.acts.append(Activity(id=self.act_id(f"attendance:{ev_id}:{who}"), channel=channel, kind=kind, ts=start,
                                  actor=key, actor_channel=MEMBERS, thread_id=ev_id, title=_s(title),
                                  native={"status": status}))

    def _comment(self, item: dict[str, Any], where: str, parent: tuple[str, str | None] | None = None) -> None:
        link = _s(item.get("link"))
        urlname = self._group_of(item, link)
        channel = self._channel(urlname)
        m = _EVENT_LINK.search(link or "") or _EVENT_LINK.search(str(self.options.extra.get("event") or ""))
        ev = item.get("event") if isinstance(item.get("event"), dict) else {}
        if m is None and not ev:
            self.bad(where, "a comment with its event's link", repr(link))
            return
        ev_id = self._event_ref(urlname or (m.group(1).lower() if m else None), ev.get("id"),
                                f"meetup.com/{m.group(1)}/events/{m.group(2)}/" if m else None)
        ts = _ms(item.get("created"))
        if ts is None:
            self.bad(where, "a comment time (created)", repr(item.get("created")))
            return
        key = self._member(item["member"])
        cid = self.act_id(f"comment:{item.get('id')}")
        if parent is None and item.get("in_reply_to"):
            parent = (self.act_id(f"comment:{item['in_reply_to']}"), None)
        self.acts.append(Activity(
            id=cid, channel=channel, kind="reply" if parent else "comment", ts=ts, actor=key, actor_channel=MEMBERS,
            thread_id=ev_id, in_reply_to=parent[0] if parent else None, target=parent[1] if parent else None,
            target_channel=MEMBERS, url=link, text=self.text(_s(item.get("comment"))),
            native={"like_count": item.get("like_count")} if item.get("like_count") is not None else None,
        ))
        for r in item.get("replies") or []:
            if isinstance(r, dict) and isinstance(r.get("member"), dict):
                self._comment(r, f"{where}, reply {r.get('id')}", parent=(cid, key))

    # -- attendee list (CSV / TSV) ---------------------------------------------------------
    def _read_csv(self, raw: bytes) -> Iterator[Batch]:
        text = _decode(raw)
        dialect = "excel-tab" if text.split("\n", 1)[0].count("\t") >= 2 else "excel"
        rows = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
        extra = self.options.extra
        ev_ref = _s(extra.get("event"))
        m = _EVENT_LINK.search(ev_ref or "")
        parsed: list[tuple[int, dict[str, str]]] = []
        urlname = m.group(1).lower() if m else _s(extra.get("group"))
        for n, row in enumerate(rows, 2):
            row = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
            if not any(row.values()):
                continue
            parsed.append((n, row))
            if not urlname:
                mm = _MEMBER_LINK.search(row.get("URL of Member Profile", ""))
                if mm and mm.group(1):
                    urlname = mm.group(1).lower()
        channel = self._channel(urlname)
        native_ev = f"{urlname or ''}/{m.group(2)}" if m else f"{urlname or ''}/export:{self.path.stem}"
        ev_id = self.event_id(native_ev)
        start = _when(extra.get("event_start"))
        rsvp_times: list[datetime] = []
        pending: list[tuple[str, str, str, datetime | None]] = []  # (where, key, kind, ts)
        for n, row in parsed:
            where = f"row {n - 1} (line {n})"
            self.records += 1
            key = _csv_member(row)
            if key is None:
                self.bad(where, "a member: 'User ID' like 'user 123' or a profile URL", repr(row.get("User ID")))
                continue
            self.idents[key] = Identity(channel=MEMBERS, key=key, display_name=_s(row.get("Name")),
                                        url=f"https://www.meetup.com/members/{key}/",
                                        native={"title": row["Title"]} if row.get("Title") else None)
            rsvped = _when(row.get("RSVPed on")) if row.get("RSVPed on") else None
            if row.get("RSVPed on") and rsvped is None:
                self.bad(where, "a date in 'RSVPed on'", repr(row.get("RSVPed on")))
                continue
            answer = row.get("RSVP", "").lower()
            if answer:
                kind = CSV_RSVP_KIND.get(answer)
                if kind is None:
                    self.bad(where, "RSVP Yes, No or Waitlist", repr(row.get("RSVP")))
                    continue
                pending.append((where, key, kind, rsvped))
                if rsvped:
                    rsvp_times.append(rsvped)
            if row.get("Event Host", "").lower() in ("yes", "y", "true", "1"):
                pending.append((where, key, "host", None))
            att = row.get("Attendance", "").lower()
            if att in CSV_ATTENDED:
                pending.append((where, key, "attend", None))
            elif att in CSV_NOSHOW:
                pending.append((where, key, "no_show", None))
        when = start
        if when is None and rsvp_times:
            when = max(rsvp_times)
            if any(k in ("attend", "no_show", "host") for _, _, k, _ in pending):
                self.warn(i18n.t("meetup.csv_when", ts=when.isoformat(sep=" ")))
        name = _s(extra.get("event_name")) or self.path.stem
        self.events[ev_id] = Event(id=ev_id, channel=channel, name=name, starts_at=start,
                                   url=ev_ref if m else None, native={"export": self.path.name})
        for where, key, kind, ts in pending:
            ts = ts or when
            if ts is None:
                self.bad(where, "a date: 'RSVPed on', or the event's start (--event-start)", "none")
                continue
            group = "rsvp" if kind in ("rsvp_yes", "rsvp_no", "waitlist", "rsvp_maybe") else \
                "host" if kind == "host" else "attendance"
            self.acts.append(Activity(id=self.act_id(f"{group}:{ev_id}:{key}"), channel=channel, kind=kind, ts=ts,
                                      actor=key, actor_channel=MEMBERS, thread_id=ev_id, title=name))
        yield from self._flush(force=True)


def _events_table(events: list[Event]) -> Any:
    import pyarrow as pa

    from .load import STAGE_COLUMNS

    schema = STAGE_COLUMNS["events"]
    cols = {n: [orjson.dumps(e.native).decode() if n == "native" and e.native else
                (None if n == "native" else getattr(e, n)) for e in events] for n in schema.names}
    return pa.Table.from_pydict(cols, schema=schema)


def _place(venue: Any) -> str | None:
    if not isinstance(venue, dict):
        return None
    parts: list[str] = []
    for k in ("name", "venue_name", "address_1", "city"):
        v = _s(venue.get(k))
        if v and v not in parts:
            parts.append(v)
    return ", ".join(parts) or None


def _csv_member(row: dict[str, str]) -> str | None:
    uid = row.get("User ID", "")
    m = re.search(r"(\d+)", uid)
    if m:
        return m.group(1)
    mm = _MEMBER_LINK.search(row.get("URL of Member Profile", ""))
    return mm.group(2) if mm else None


def _when(value: Any) -> datetime | None:
    """A date from an option or a CSV cell: ISO 8601 or Meetup's export formats (taken as UTC)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).replace(tzinfo=None) if value.tzinfo else value
    s = str(value).strip()
    try:
        d = datetime.fromisoformat(s.replace("Z", "+00:00"))
        return d.astimezone(timezone.utc).replace(tzinfo=None) if d.tzinfo else d
    except ValueError:
        pass
    for fmt in CSV_TIME_FORMATS:
        try:
            return datetime.strptime(s, fmt)
        except ValueError:
            continue
    return None


def _decode(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    return raw.decode("utf-8-sig")


def _decode_head(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head[: len(head) // 2 * 2].decode("utf-16", errors="ignore")
    return head.decode("utf-8-sig", errors="ignore")


__all__ = ["MeetupSource"]
