"""Mailing-list archives in mbox format (pipermail, HyperKitty, LISTSERV, groups.io zips).

What becomes what:

- each message is one act by its sender: ``post`` when it starts a thread (no
  ``In-Reply-To`` nor ``References``), ``reply`` otherwise;
- ``in_reply_to`` is the parent (``In-Reply-To``, else the last of ``References``),
  ``thread_id`` the root (the first of ``References``, else the top of the
  ``In-Reply-To`` chain as far as the archive knows it), ``target`` the parent's sender
  when the parent is in the same file;
- the sender's identity key is the e-mail address, de-obfuscated (``jo at example dot
  org`` → ``jo@example.org``); archives that hide addresses (LISTSERV's ``[log in to
  unmask]``) key the sender by display name;
- the channel is ``mail:<list>``: the ``List-Id``, else the ``[Tag]`` most subjects carry,
  else the file's name; ``--channel`` overrides;
- the text is the ``text/plain`` part (else the HTML part reduced to text), quoted lines
  (``> …``), their "X wrote:" line, Outlook-style quoted originals and the list footer
  trimmed; the subject is the title, its list tag removed.

Dates: the ``Date`` header; when it is missing or unreadable, the date of the ``From_``
separator line (taken as UTC) with a warning; a message with neither is a bad record. A
``Date`` without a zone is taken as UTC. Repeated ``Message-ID`` s within one file are
one message (the first copy is kept, the others counted in a warning); a message without
one gets a stable id from its sender, date, subject and body.

The file is read twice, streaming: the first pass collects each message's id, parent and
sender (a few dozen bytes per message) to resolve threads, the second yields the acts.
"""
from __future__ import annotations

import email
import email.errors
import email.header
import email.parser
import email.utils
import hashlib
import re
from collections import Counter
from datetime import datetime
from email.message import Message
from pathlib import Path
from typing import IO, Callable, ClassVar, Iterator

from ..errors import LienError
from ..i18n import register, t
from .archive import Archive, is_zip
from .base import Activity, Batch, Identity, Source

register({
    "mbox.envelope_dates": {
        "en": "{n} messages without a readable Date header are dated by their From_ line (UTC): {ids}",
        "fr": "{n} messages sans en-tête Date lisible sont datés par leur ligne From_ (UTC) : {ids}"},
    "mbox.duplicates": {
        "en": "{n} repeated Message-IDs kept once (first copy)",
        "fr": "{n} Message-ID répétés gardés une seule fois (premier exemplaire)"},
    "mbox.charset": {
        "en": "{n} message bodies in an unknown or wrong charset were read as Latin-1",
        "fr": "{n} corps de message dans un jeu de caractères inconnu ou faux ont été lus en Latin-1"},
    "mbox.empty": {"en": "no message found in {file}", "fr": "aucun message trouvé dans {file}"},
})

_FROM_LINE = re.compile(rb"^From \S")
_ASCTIME = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s+(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+(\d{1,2})\s+"
    r"(\d{1,2}):(\d\d)(?::(\d\d))?\s+(?:[A-Z]{2,5}\s+)?(\d{4})")
_MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
# "jo at example.org", "jo at example dot org", "jo at lists dot example dot org"
_OBFUSCATED = re.compile(
    r"([A-Za-z0-9._%+'=-]+)\s+(?:at|AT|\(at\)|\[at\])\s+([A-Za-z0-9-]+(?:(?:\.|\s+(?:dot|DOT|\(dot\)|\[dot\])\s+)[A-Za-z0-9-]+)+)")
_DOT = re.compile(r"\s+(?:dot|DOT|\(dot\)|\[dot\])\s+")
_MSGID = re.compile(r"<([^<>\s]+)>")
_SUBJECT_TAG = re.compile(rb"(?im)^subject:[ \t]*(?:(?:re|fwd?|aw|tr|sv)\s*:\s*)*\[([^\]\r\n]{1,80})\]")
_LIST_ID = re.compile(rb"(?im)^list-id:[^\r\n]*<([^>\r\n]+)>")
_TAG_PREFIX = re.compile(r"^\s*((?:(?:re|fwd?|aw|tr|sv)\s*:\s*)*)\[[^\]]{1,80}\]\s*", re.IGNORECASE)
_ATTRIBUTION = re.compile(r"(wrote|writes|a écrit|schrieb|escribió|scrisse)\s*:?\s*$", re.IGNORECASE)
_OUTLOOK = re.compile(r"^\s*(-{3,}\s*Original Message\s*-{3,}|-{3,}\s*Message d'origine\s*-{3,})\s*$", re.IGNORECASE)
_FOOTER = re.compile(r"^_{20,}\s*$")
_HEAD = 4 << 20  # bytes scanned for the list's name


def _hstr(value: object) -> str | None:
    """A header as text: RFC 2047 words decoded, raw 8-bit bytes read as UTF-8 (else Latin-1)."""
    if value is None:
        return None
    try:
        parts = email.header.decode_header(value)  # type: ignore[arg-type]
    except (email.errors.HeaderParseError, ValueError):
        parts = [(str(value), None)]
    out = []
    for chunk, charset in parts:
        if isinstance(chunk, str):
            if any("\udc80" <= c <= "\udcff" for c in chunk):
                chunk = chunk.encode("utf-8", "surrogateescape")
            else:
                out.append(chunk)
                continue
        cs = [] if charset in (None, "unknown-8bit") else [charset]
        out.append(_decode(chunk, cs[0] if cs else None)[0])
    return " ".join("".join(out).split()) or None


def deobfuscate(value: str) -> str:
    """``jo at example dot org`` → ``jo@example.org`` (pipermail's way of hiding addresses)."""
    return _OBFUSCATED.sub(lambda m: f"{m.group(1)}@{_DOT.sub('.', m.group(2))}", value)


def sender(value: str | None) -> tuple[str | None, str | None]:
    """(display name, e-mail) of a From header; the e-mail is None when hidden or absent."""
    if not value:
        return None, None
    name, addr = email.utils.parseaddr(deobfuscate(value))
    addr = addr.strip().lower()
    if "@" not in addr or " " in addr or addr.startswith("@") or addr.endswith("@"):
        if not name and addr and "@" not in addr and "[" not in addr:
            name = addr
        addr = ""
    name = name.strip().strip('"').strip() or None
    return name, (addr or None)


def _ids(value: str | None) -> list[str]:
    if not value:
        return []
    found = _MSGID.findall(value)
    if found:
        return found
    v = value.strip()
    return [v] if v and " " not in v else []


def _envelope_date(from_line: bytes) -> datetime | None:
    m = _ASCTIME.search(from_line.decode("latin-1"))
    if not m:
        return None
    mon, day, hh, mm, ss, year = m.groups()
    try:
        return datetime(int(year), _MONTHS[mon], int(day), int(hh), int(mm), int(ss or 0))
    except ValueError:
        return None


def _header_date(value: str | None) -> datetime | None:
    if not value or not value.strip():
        return None
    try:
        dt = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return dt


def split_mbox(stream: IO[bytes]) -> Iterator[tuple[int, bytes, bytes]]:
    """Yield (line number, From_ line, message bytes) for each message of an mbox stream.
    A message starts at a ``From `` line that begins the file or follows a blank line."""
    start = 0
    from_line = b""
    buf: list[bytes] = []
    prev_blank = True
    for n, line in enumerate(stream, 1):
        if _FROM_LINE.match(line) and (n == 1 or prev_blank and _ASCTIME.search(line.decode("latin-1"))):
            if from_line or any(x.strip() for x in buf):
                yield start, from_line, b"".join(buf)
            start, from_line, buf = n, line.rstrip(b"\r\n"), []
        else:
            buf.append(line)
        prev_blank = not line.strip()
    if from_line or any(x.strip() for x in buf):
        yield start, from_line, b"".join(buf)


def _decode(payload: bytes, charset: str | None) -> tuple[str, bool]:
    for cs in ([charset] if charset else []) + ["utf-8"]:
        try:
            return payload.decode(cs), False
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("latin-1"), True


def body_text(msg: Message) -> tuple[str | None, bool]:
    """The message's text (text/plain preferred, else HTML reduced) and whether its charset
    had to be guessed."""
    plain = html = None
    for part in msg.walk() if msg.is_multipart() else [msg]:
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        ctype = part.get_content_type()
        if ctype not in ("text/plain", "text/html") or (plain if ctype == "text/plain" else html) is not None:
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        try:
            charset = part.get_content_charset()
        except (LookupError, ValueError):
            charset = None
        text, guessed = _decode(payload, charset)
        if ctype == "text/plain":
            plain = (text, guessed)
        else:
            html = (text, guessed)
    if plain is not None:
        return trim_quotes(plain[0]), plain[1]
    if html is not None:
        return trim_quotes(Source.text(html[0]) or ""), html[1]
    return None, False


def trim_quotes(text: str) -> str | None:
    """Drop quoted lines, their attribution line, quoted originals and the list footer."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[str] = []
    for i, line in enumerate(lines):
        s = line.strip()
        if _OUTLOOK.match(line) or (s.startswith("From:") and any(x.strip().startswith(("Sent:", "Date:", "Envoyé"))
                                                                   for x in lines[i + 1:i + 3])):
            break
        if _FOOTER.match(line) and any("mailing list" in x.lower() for x in lines[i + 1:i + 3]):
            break
        if s.startswith(">"):
            while out and not out[-1].strip():
                out.pop()
            if out and _ATTRIBUTION.search(out[-1]):
                out.pop()
            continue
        out.append(line.rstrip())
    return Source.text("\n".join(out))


class MboxSource(Source):
    """An mbox file, or a zip holding .mbox files (groups.io)."""

    name = "mbox"
    label = "mailing-list archive (mbox, or a zip of mbox files)"
    version = "1"
    kinds: ClassVar[tuple[str, ...]] = ("post", "reply")

    @classmethod
    def detect(cls, path: Path, head: bytes) -> int:
        if head.startswith(b"PK") and is_zip(path):
            try:
                with Archive(path) as arc:
                    return 60 if arc.glob("*.mbox") else 0
            except LienError:
                return 0
        first = head.split(b"\n", 1)[0]
        if _FROM_LINE.match(first) and re.search(rb"(?im)^(from|date|message-id|subject):", head):
            return 70
        if path.suffix.lower() == ".mbox":
            return 30
        return 0

    # -- members -----------------------------------------------------------------------------
    def _members(self) -> list[tuple[str, Callable[[], IO[bytes]]]]:
        if is_zip(self.path):
            arc = Archive(self.path, self.location)
            self._archive = arc
            names = arc.glob("*.mbox") or [n for n in arc.names() if not n.endswith("/")]
            return [(arc.where(n), (lambda n=n: arc.open(n))) for n in names]
        return [(self.location, lambda: open(self.path, "rb"))]

    def _channel(self, opener: Callable[[], IO[bytes]], stem: str) -> str:
        if self.options.channel:
            return self.options.channel
        with opener() as f:
            head = f.read(_HEAD)
        m = _LIST_ID.search(head)
        if m:
            return "mail:" + m.group(1).decode("latin-1").strip()
        tags = Counter(x.decode("utf-8", "replace").strip().lower() for x in _SUBJECT_TAG.findall(head))
        subjects = len(re.findall(rb"(?im)^subject:", head))
        if tags:
            tag, n = tags.most_common(1)[0]
            if n * 2 > subjects:
                return f"mail:{tag}"
        return f"mail:{stem}"

    def read(self) -> Iterator[Batch]:
        self._archive: Archive | None = None
        try:
            for where, opener in self._members():
                yield from self._read_one(where, opener)
        finally:
            if self._archive is not None:
                self._archive.close()

    def _read_one(self, where: str, opener: Callable[[], IO[bytes]]) -> Iterator[Batch]:
        stem = self.path.stem
        channel = self._channel(opener, stem)
        parse = email.parser.BytesParser()
        # pass 1: ids, parents, senders
        seen: dict[str, tuple[str | None, str | None, str | None]] = {}  # id -> (parent, root hint, sender key)
        order: list[str] = []
        with opener() as f:
            for line_no, from_line, raw in split_mbox(f):
                if not from_line:
                    self.bad("line 1", "an mbox message starting with a 'From ' line", repr(raw[:40]), file=where)
                    return
                msg = parse.parsebytes(raw, headersonly=True)
                mid = self._message_id(msg, raw, from_line)
                if mid in seen:
                    continue
                name, addr = sender(_hstr(msg["From"]))
                parent, refs = self._parent(msg)
                seen[mid] = (parent, refs[0] if refs else None, addr or name)
                order.append(mid)
        if not order:
            self.warn(t("mbox.empty", file=where))
            return

        def root_of(mid: str) -> str:
            cur, hops = mid, 0
            while hops < 10_000:
                parent, first_ref, _ = seen[cur]
                if first_ref and first_ref != cur:
                    return first_ref
                if not parent or parent == cur:
                    return cur
                if parent not in seen:
                    return parent
                cur, hops = parent, hops + 1
            return cur

        # pass 2: the acts
        acts: list[Activity] = []
        ids: dict[str, Identity] = {}
        done: set[str] = set()
        envelope: list[str] = []
        dup = guessed = read = n_msg = 0
        with opener() as f:
            for line_no, from_line, raw in split_mbox(f):
                read += 1
                n_msg += 1
                msg = parse.parsebytes(raw)
                mid = self._message_id(msg, raw, from_line)
                if mid in done:
                    dup += 1
                    continue
                done.add(mid)
                record = f"message {n_msg} (line {line_no}, Message-ID {mid})"
                name, addr = sender(_hstr(msg["From"]))
                key = addr or name
                if key is None:
                    self.bad(record, "a From header with an address or a name", repr(msg["From"]), file=where)
                    continue
                ts_raw = _hstr(msg["Date"])
                dt = _header_date(ts_raw)
                native: dict[str, object] = {"message_id": mid}
                if dt is None:
                    dt = _envelope_date(from_line)
                    if dt is None:
                        self.bad(record, "a Date header or a dated From_ line",
                                 repr(ts_raw) if ts_raw else "no Date header", file=where)
                        continue
                    envelope.append(mid)
                    native["date_from"] = "envelope"
                parent, refs = self._parent(msg)
                text, bad_cs = body_text(msg)
                if bad_cs:
                    guessed += 1
                    native["charset_guessed"] = True
                subject = _hstr(msg["Subject"])
                if subject:
                    subject = _TAG_PREFIX.sub(lambda m: m.group(1), subject).strip() or None
                list_id = _hstr(msg["List-Id"])
                if list_id:
                    native["list_id"] = list_id
                url = _MSGID.findall(msg["Archived-At"] or "")
                pkey = seen.get(parent, (None, None, None))[2] if parent else None
                acts.append(Activity(
                    id=self.act_id(mid), channel=channel, kind="reply" if parent else "post",
                    ts=self.utc(dt), actor=key, thread_id=self.act_id(root_of(mid)),
                    in_reply_to=self.act_id(parent) if parent else None, target=pkey,
                    url=url[0] if url else None, title=subject, text=text, native=native))
                if key not in ids or (name and not ids[key].display_name):
                    ids[key] = Identity(channel=channel, key=key, display_name=name, email=addr)
                if len(acts) >= self.options.chunk_size:
                    yield Batch(identities=list(ids.values()), activities=acts, records=read)
                    acts, ids, read = [], {}, 0
        if acts or read:
            yield Batch(identities=list(ids.values()), activities=acts, records=read)
        if envelope:
            shown = ", ".join(envelope[:5]) + (" …" if len(envelope) > 5 else "")
            self.warn(t("mbox.envelope_dates", n=len(envelope), ids=shown))
        if dup:
            self.warn(t("mbox.duplicates", n=dup))
        if guessed:
            self.warn(t("mbox.charset", n=guessed))

    @staticmethod
    def _parent(msg: Message) -> tuple[str | None, list[str]]:
        refs = _ids(_hstr(msg["References"]))
        irt = _ids(_hstr(msg["In-Reply-To"]))
        parent = irt[0] if irt else (refs[-1] if refs else None)
        return parent, refs

    @staticmethod
    def _message_id(msg: Message, raw: bytes, from_line: bytes) -> str:
        got = _ids(_hstr(msg["Message-ID"]))
        if got:
            return got[0]
        h = hashlib.sha256()
        for part in (msg["From"], msg["Date"], msg["Subject"]):
            h.update(str(part or "").encode("utf-8", "surrogateescape") + b"\x00")
        h.update(from_line + b"\x00")
        h.update(raw.split(b"\n\n", 1)[-1])
        return "lien-" + h.hexdigest()[:32]


__all__ = ["MboxSource", "deobfuscate", "sender", "split_mbox", "trim_quotes"]
