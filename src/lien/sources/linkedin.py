"""LinkedIn data export ("Get a copy of your data"): a zip (or folder) of CSV files.

What becomes what:

- ``Shares.csv`` (Date, ShareLink, ShareCommentary, SharedUrl, MediaUrl, Visibility) → ``post``
  by the owner;
- ``Comments.csv`` (Date, Link, Message) → ``comment`` by the owner on the post at ``Link``
  (``in_reply_to`` and ``target`` = the owner when it is one of their own shares);
- ``Reactions.csv`` (Date, Type, Link) → ``like`` (the reaction type in ``native``), likewise;
- ``messages.csv`` (CONVERSATION ID, CONVERSATION TITLE, FROM, SENDER PROFILE URL, TO,
  RECIPIENT PROFILE URLS, DATE, SUBJECT, CONTENT, FOLDER) → ``message`` by the sender,
  addressed to the recipient when there is one, ``in_reply_to`` the other side's last message
  of the conversation, the conversation as thread;
- ``Connections.csv`` (First Name, Last Name, URL, Email Address, Company, Position,
  Connected On; after a "Notes:" preamble) → ``follow``: the connection joined the owner's
  network on that day (a connection is mutual; the export does not say who asked);
- ``Profile.csv`` → the owner's name and headline.

People are keyed by their profile URL (``https://www.linkedin.com/in/<name>``), else their
name; e-mails of connections who share them go in the identity's e-mail. The owner's key is
their profile URL when ``messages.csv`` shows it (messages they sent), else their name. All on
the channel ``linkedin:linkedin.com`` (``--channel`` overrides). Dates are UTC.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Iterator

from ..errors import BadInput
from ..text import short_hash
from .archive import Archive, is_zip
from .base import Activity, Batch, Identity, Source

CHANNEL = "linkedin:linkedin.com"
FILES = ("shares.csv", "comments.csv", "reactions.csv", "messages.csv", "connections.csv", "profile.csv")


def _date(value: str | None) -> datetime | None:
    if not value or not value.strip():
        return None
    v = value.strip().removesuffix(" UTC").strip()
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%d %b %Y", "%m/%d/%y, %I:%M %p", "%m/%d/%Y"):
        try:
            return datetime.strptime(v, fmt)
        except ValueError:
            continue
    try:
        dt = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        return None
    return Source.utc(dt)


def _url(value: str | None) -> str | None:
    v = (value or "").strip()
    return v.rstrip("/") if v.startswith("http") else None


class LinkedInSource(Source):
    """A LinkedIn data export (CSV files; zip or folder)."""

    name = "linkedin"
    label = "LinkedIn data export (CSV; zip or folder)"
    version = "1"
    kinds: ClassVar[tuple[str, ...]] = ("post", "comment", "like", "message", "follow")
    takes_directory = True

    @classmethod
    def detect(cls, path: Path, head: bytes) -> int:
        if path.is_file() and path.name.lower() in FILES[:5]:
            first = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0]
            known = (b"ShareCommentary", b"SENDER PROFILE URL", b"Date,Link,Message", b"Date,Type,Link", b"Notes:")
            return 80 if any(k in first for k in known) else 0
        try:
            if not (path.is_dir() or is_zip(path)):
                return 0
            with Archive(path) as arc:
                names = {n.rsplit("/", 1)[-1].lower() for n in arc.names()}
        except BadInput:
            return 0
        return 85 if len(names & set(FILES)) >= 2 else 0

    # -- reading -----------------------------------------------------------------------------
    def _rows(self, arc: Archive, member: str) -> Iterator[tuple[int, dict[str, str]]]:
        """(line, row) of a CSV member, skipping a "Notes:" preamble before the header."""
        where = arc.where(member)
        try:
            text = arc.read_bytes(member).decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise BadInput(where, f"byte {e.start}", "UTF-8 text", repr(e.object[e.start:e.start + 8])) from e
        lines = text.splitlines(keepends=True)
        skip = 0
        if lines and lines[0].startswith("Notes:"):
            skip = next((i for i, ln in enumerate(lines) if i > 0 and "," in ln and not ln.startswith('"')), len(lines))
        reader = csv.reader(io.StringIO("".join(lines[skip:]), newline=""))
        try:
            header = next(reader, None)
            if header is None:
                return
            header = [h.strip() for h in header]
            for row in reader:
                line = reader.line_num + skip
                if not any(c.strip() for c in row):
                    continue
                if len(row) != len(header):
                    self.bad(f"line {line}", f"{len(header)} columns ({', '.join(header)})", f"{len(row)} columns",
                             file=where)
                    continue
                yield line, dict(zip(header, row))
        except csv.Error as e:
            raise BadInput(where, f"line {reader.line_num + skip}", "well-formed CSV", str(e)) from e

    def read(self) -> Iterator[Batch]:
        if self.path.is_file() and not is_zip(self.path):
            arc = Archive(self.path.parent)
            only = {self.path.name.lower()} | {"profile.csv", "messages.csv"}
        else:
            arc = Archive(self.path, self.location)
            only = set(FILES)
        with arc:
            members = {n.rsplit("/", 1)[-1].lower(): n for n in sorted(arc.names(), key=lambda n: -n.count("/"))
                       if n.rsplit("/", 1)[-1].lower() in only}
            if not set(members) & set(FILES[:5]):
                raise BadInput(self.location, "the export", "Shares.csv, Comments.csv, Reactions.csv, messages.csv or "
                               "Connections.csv", ", ".join(arc.names()[:6]) or "no file")
            yield from self._read(arc, members)

    def _read(self, arc: Archive, members: dict[str, str]) -> Iterator[Batch]:
        self.channel = self.options.channel or CHANNEL
        people: dict[str, Identity] = {}

        def person(url: str | None, name: str | None, email: str | None = None, **native: Any) -> str | None:
            name = (name or "").strip() or None
            key = _url(url) or name
            if key is None:
                return None
            cur = people.get(key)
            if cur is None:
                people[key] = Identity(channel=self.channel, key=key, display_name=name, url=_url(url),
                                       email=(email or "").strip().lower() or None,
                                       native={k: v for k, v in native.items() if v} or None)
            elif email and not cur.email:
                cur.email = email.strip().lower()
            return key

        owner_name = headline = None
        if "profile.csv" in members:
            for _, row in self._rows(arc, members["profile.csv"]):
                owner_name = " ".join(x for x in (row.get("First Name", "").strip(), row.get("Last Name", "").strip()) if x)
                headline = row.get("Headline")
                break
        msgs = list(self._rows(arc, members["messages.csv"])) if "messages.csv" in members else []
        owner_url = next((_url(r.get("SENDER PROFILE URL")) for _, r in msgs
                          if owner_name and r.get("FROM", "").strip() == owner_name and _url(r.get("SENDER PROFILE URL"))),
                         None)
        if owner_name is None and owner_url is None:
            owner_name = "me"  # the export's owner, unnamed (no Profile.csv)
        owner = person(owner_url, owner_name, headline=headline)
        assert owner is not None
        acts: list[Activity] = []
        read = 0
        shares: dict[str, str] = {}
        if "shares.csv" in members:
            where = arc.where(members["shares.csv"])
            for line, r in self._rows(arc, members["shares.csv"]):
                read += 1
                ts = _date(r.get("Date"))
                if ts is None:
                    self.bad(f"line {line}", "a Date (YYYY-MM-DD HH:MM:SS)", repr(r.get("Date")), file=where)
                    continue
                link = _url(r.get("ShareLink"))
                aid = self.act_id(link or f"share:{owner}:{r.get('Date')}:{short_hash(r.get('ShareCommentary') or '')}")
                if link:
                    shares[link] = aid
                native = {k: v for k, v in {"shared_url": _url(r.get("SharedUrl")), "media_url": _url(r.get("MediaUrl")),
                                            "visibility": (r.get("Visibility") or "").strip()}.items() if v}
                acts.append(Activity(id=aid, channel=self.channel, kind="post", ts=ts, actor=owner, thread_id=aid,
                                     url=link, text=self.text(r.get("ShareCommentary") or None), native=native or None))
        for fname, kind in (("comments.csv", "comment"), ("reactions.csv", "like")):
            if fname not in members:
                continue
            where = arc.where(members[fname])
            for line, r in self._rows(arc, members[fname]):
                read += 1
                ts = _date(r.get("Date"))
                if ts is None:
                    self.bad(f"line {line}", "a Date (YYYY-MM-DD HH:MM:SS)", repr(r.get("Date")), file=where)
                    continue
                link = _url(r.get("Link"))
                parent = shares.get(link) if link else None
                body = r.get("Message") if kind == "comment" else None
                native = {"type": r.get("Type")} if kind == "like" and r.get("Type") else None
                acts.append(Activity(
                    id=self.act_id(f"{kind}:{owner}:{r.get('Date')}:{link}:{short_hash(body or '')}"),
                    channel=self.channel, kind=kind, ts=ts, actor=owner, url=link, thread_id=parent,
                    in_reply_to=parent, target=owner if parent else None, text=self.text(body or None), native=native))
        if msgs:
            read += len(msgs)
            acts += self._messages(arc.where(members["messages.csv"]), msgs, person)
        if "connections.csv" in members:
            where = arc.where(members["connections.csv"])
            for line, r in self._rows(arc, members["connections.csv"]):
                read += 1
                ts = _date(r.get("Connected On"))
                name = " ".join(x for x in (r.get("First Name", "").strip(), r.get("Last Name", "").strip()) if x)
                key = person(r.get("URL"), name, r.get("Email Address"), company=r.get("Company"),
                             position=r.get("Position"))
                if ts is None or key is None:
                    self.bad(f"line {line}", "a connection with a URL or name and 'Connected On' (06 Mar 2024)",
                             repr(r.get("Connected On")), file=where)
                    continue
                acts.append(Activity(id=self.act_id(f"connection:{owner}:{key}"), channel=self.channel, kind="follow",
                                     ts=ts, actor=key, target=owner, native={"connection": True}))
        yield Batch(identities=list(people.values()), activities=acts, records=read)

    def _messages(self, where: str, rows: list[tuple[int, dict[str, str]]], person: Any) -> list[Activity]:
        good = []
        for line, r in rows:
            ts = _date(r.get("DATE"))
            sender = person(r.get("SENDER PROFILE URL"), r.get("FROM"))
            if ts is None or sender is None:
                self.bad(f"line {line}", "a message with FROM and DATE (2024-03-06 07:26:40 UTC)", repr(r.get("DATE")),
                         file=where)
                continue
            good.append((ts, line, sender, r))
        good.sort(key=lambda x: (x[0], x[1]))
        out: list[Activity] = []
        last: dict[str, dict[str, tuple[datetime, str]]] = {}
        for ts, line, sender, r in good:
            conv = (r.get("CONVERSATION ID") or "").strip() or f"line-{line}"
            urls = [u for u in re.split(r"[,\s]+", r.get("RECIPIENT PROFILE URLS") or "") if u.startswith("http")]
            names = [n.strip() for n in (r.get("TO") or "").split(",") if n.strip()]
            target = person(urls[0], names[0] if len(names) == 1 else None) if len(urls) == 1 else (
                person(None, names[0]) if len(names) == 1 and not urls else None)
            aid = self.act_id(f"msg:{conv}:{r.get('DATE')}:{sender}:{short_hash(r.get('CONTENT') or '')}")
            prev = max(((k, v) for k, v in last.get(conv, {}).items() if k != sender), key=lambda kv: kv[1][0],
                       default=None)
            native = {k: v for k, v in {"conversation": (r.get("CONVERSATION TITLE") or "").strip(),
                                        "folder": (r.get("FOLDER") or "").strip()}.items() if v}
            out.append(Activity(id=aid, channel=self.channel, kind="message", ts=ts, actor=sender, target=target,
                                thread_id=self.act_id(f"conversation:{conv}"),
                                in_reply_to=prev[1][1] if prev else None,
                                title=(r.get("SUBJECT") or "").strip() or None, text=self.text(r.get("CONTENT") or None),
                                native=native or None))
            last.setdefault(conv, {})[sender] = (ts, aid)
        return out


__all__ = ["LinkedInSource"]
