"""Facebook "Download your information" export, JSON format (the zip or its folder).

Files read, wherever they sit in the export (their folders moved between export versions):

- ``your_posts*.json`` → ``post`` by the owner (text, link, the export's title in ``native``);
- ``comments.json`` (``comments_v2``) → ``comment`` by the owner, or ``reply`` when the title
  says "replied to"; addressed to the person the title names ("… commented on Léa
  Martin's post.");
- ``posts_and_comments.json`` / ``likes_and_reactions*.json`` (``reactions_v2``) → ``like``
  (the reaction — LIKE, LOVE … — in ``native``), addressed the same way;
- ``messages/<folder>/<thread>/message_N.json`` → one ``message`` per message, by its sender;
  in a two-person conversation addressed to the other one; ``in_reply_to`` is the last
  message of someone else in the conversation; reactions to a message → ``like`` by the
  reactor, addressed to its sender;
- ``profile_information.json`` → the owner's name, e-mail and username.

People are keyed by their name: the export names people and nothing else. The channel is
``facebook:<the owner's username, or name>`` (``--channel`` overrides).

Real exports write text as UTF-8 bytes escaped one by one (``"\\u00c3\\u00a9"`` for "é"):
every string is repaired (re-read as UTF-8 when it is such mojibake, kept as it is
otherwise). Titles are parsed in English and French; in other languages the target is left
empty and the title kept in ``native``.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ClassVar, Iterator


from ..errors import BadInput
from ..i18n import register, t
from ..text import short_hash
from .archive import Archive, is_zip
from .base import Activity, Batch, Identity, Source

register({
    "facebook.skipped": {"en": "{n} membership notices in conversations not imported (joined/left)",
                         "fr": "{n} avis d'arrivée ou de départ dans les conversations non importés"},
})

_POSTS = re.compile(r"(^|/)your_posts[^/]*\.json$")
_COMMENTS = re.compile(r"(^|/)comments\.json$")
_REACTIONS = re.compile(r"(^|/)(posts_and_comments|likes_and_reactions(_\d+)?)\.json$")
_MESSAGES = re.compile(r"(^|/)messages/[^/]+/([^/]+)/message_\d+\.json$")
_PROFILE = re.compile(r"(^|/)profile_information\.json$")
_OWN = r"(?:his|her|their|its|sa|son) own|(?:sa propre|son propre)"
_TARGET = [  # (regex on the title, group holding the person)
    re.compile(r"^.+? (?:commented on|replied to|likes|liked|reacted to) (?P<who>.+?)'s? "
               r"(?:own )?(?:post|comment|photo|video|link|status|album|event|reel|live video|note|life event)"),
    re.compile(r"^.+? (?:a commenté|a répondu à|aime|a aimé|a réagi à) (?:la |le |l’|l')?"
               r"(?:publication|commentaire|photo|vidéo|lien|statut|album|évènement|événement|reel) de (?P<who>.+?)\.?$"),
]
_OWN_RE = re.compile(rf"\b(?:{_OWN})\b", re.IGNORECASE)


def unmojibake(value: Any) -> Any:
    """Repair Facebook's per-byte escaped UTF-8, recursively."""
    if isinstance(value, str):
        try:
            return value.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return value
    if isinstance(value, list):
        return [unmojibake(v) for v in value]
    if isinstance(value, dict):
        return {unmojibake(k): unmojibake(v) for k, v in value.items()}
    return value


def title_target(title: str | None, owner: str) -> str | None:
    """Whose post or comment a title speaks of ("… commented on Léa Martin's post.")."""
    if not title:
        return None
    if _OWN_RE.search(title):
        return owner
    for rx in _TARGET:
        m = rx.match(title)
        if m:
            return m.group("who").strip()
    return None


def _ts(value: Any, ms: bool = False) -> datetime | None:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
        return None
    return datetime.fromtimestamp(value / (1000 if ms else 1), tz=timezone.utc).replace(tzinfo=None)


def _slug(name: str) -> str:
    return re.sub(r"[^\w.-]+", "-", name.strip().lower()).strip("-") or "profile"


class FacebookSource(Source):
    """A Facebook data export in JSON: the zip, or the folder it unpacks to."""

    name = "facebook"
    label = "Facebook data export (JSON; zip or folder)"
    version = "1"
    kinds: ClassVar[tuple[str, ...]] = ("post", "comment", "reply", "like", "message")
    takes_directory = True

    @classmethod
    def detect(cls, path: Path, head: bytes) -> int:
        try:
            if path.is_dir() or is_zip(path):
                with Archive(path) as arc:
                    names = arc.names()
            else:
                return 0
        except BadInput:
            return 0
        hits = sum(1 for rx in (_POSTS, _COMMENTS, _REACTIONS, _MESSAGES, _PROFILE) if any(rx.search(n) for n in names))
        return 85 if hits >= 2 or any(_POSTS.search(n) or _MESSAGES.search(n) for n in names) else 0

    def _json(self, arc: Archive, name: str) -> Any:
        return unmojibake(self.load_json(arc.read_bytes(name), "JSON", arc.where(name), skippable=False))

    @staticmethod
    def _items(doc: Any, key: str) -> list[Any]:
        if isinstance(doc, list):
            return doc
        if isinstance(doc, dict):
            for k in (key, key.replace("_v2", "")):
                if isinstance(doc.get(k), list):
                    return doc[k]
        return []

    def read(self) -> Iterator[Batch]:
        with Archive(self.path, self.location) as arc:
            names = arc.names()
            found = {k: [n for n in names if rx.search(n)] for k, rx in
                     (("posts", _POSTS), ("comments", _COMMENTS), ("reactions", _REACTIONS), ("messages", _MESSAGES),
                      ("profile", _PROFILE))}
            if not any(found[k] for k in ("posts", "comments", "reactions", "messages")):
                raise BadInput(self.location, "the export", "Facebook JSON files (your_posts_1.json, comments.json, "
                               "messages/inbox/…/message_1.json)", ", ".join(names[:6]) or "no file")
            docs = {k: [(n, self._json(arc, n)) for n in v] for k, v in found.items()}
            owner, email, username = self._owner(arc, docs)
            self.channel = self.options.channel or f"facebook:{_slug(username or owner)}"
            self.people: dict[str, Identity] = {
                owner: Identity(channel=self.channel, key=owner, display_name=owner, email=email,
                                url=f"https://www.facebook.com/{username}" if username else None,
                                native={"username": username} if username else None)}
            acts: list[Activity] = []
            read = 0
            for name, doc in docs["posts"]:
                items = self._items(doc, "status_updates_v2")
                read += len(items)
                acts += self._posts(arc.where(name), items, owner)
            for name, doc in docs["comments"]:
                items = self._items(doc, "comments_v2")
                read += len(items)
                acts += self._comments(arc.where(name), items, owner)
            for name, doc in docs["reactions"]:
                items = self._items(doc, "reactions_v2")
                read += len(items)
                acts += self._reactions(arc.where(name), items, owner)
            threads: dict[str, list[tuple[str, Any]]] = {}
            for name, doc in docs["messages"]:
                threads.setdefault(name.rsplit("/", 1)[0], []).append((name, doc))
            skipped = 0
            for folder, parts in sorted(threads.items()):
                n, more, s = self._thread(arc, folder, parts, owner)
                read += n
                acts += more
                skipped += s
            if skipped:
                self.warn(t("facebook.skipped", n=skipped))
            yield Batch(identities=list(self.people.values()), activities=acts, records=read)

    def _owner(self, arc: Archive, docs: dict[str, list[tuple[str, Any]]]) -> tuple[str, str | None, str | None]:
        for _, doc in docs["profile"]:
            p = doc.get("profile_v2") or doc.get("profile") if isinstance(doc, dict) else None
            if isinstance(p, dict):
                name = p.get("name")
                full = name.get("full_name") if isinstance(name, dict) else name
                emails = p.get("emails")
                mail = (emails.get("emails") or [None])[0] if isinstance(emails, dict) else None
                if isinstance(full, str) and full:
                    return full, mail.lower() if isinstance(mail, str) else None, p.get("username") or None
        for _, doc in docs["comments"]:
            for it in self._items(doc, "comments_v2"):
                for d in it.get("data") or [] if isinstance(it, dict) else []:
                    c = d.get("comment") if isinstance(d, dict) else None
                    if isinstance(c, dict) and isinstance(c.get("author"), str):
                        return c["author"], None, None
        common: set[str] | None = None
        for _, doc in docs["messages"]:
            names = {p.get("name") for p in (doc.get("participants") or []) if isinstance(p, dict)} if isinstance(doc, dict) else set()
            common = names if common is None else common & names
        if common and len(common) == 1:
            return next(iter(common)), None, None
        raise BadInput(self.location, "the export", "the owner's name (profile_information.json, or comments.json)",
                       "none")

    def _person(self, name: Any) -> str | None:
        if not isinstance(name, str) or not name.strip():
            return None
        name = name.strip()
        if name not in self.people:
            self.people[name] = Identity(channel=self.channel, key=name, display_name=name)
        return name

    def _posts(self, where: str, items: list[Any], owner: str) -> list[Activity]:
        out = []
        for n, it in enumerate(items, 1):
            ts = _ts(it.get("timestamp")) if isinstance(it, dict) else None
            if ts is None:
                self.bad(f"post {n}", "an object with a Unix timestamp", repr(it)[:60], file=where)
                continue
            text = next((d["post"] for d in it.get("data") or [] if isinstance(d, dict) and isinstance(d.get("post"), str)), None)
            urls = [d["external_context"].get("url") for a in it.get("attachments") or [] if isinstance(a, dict)
                    for d in a.get("data") or [] if isinstance(d, dict) and isinstance(d.get("external_context"), dict)]
            url = next((u for u in urls if isinstance(u, str) and u.startswith("http")), None)
            native = {k: v for k, v in {"title": it.get("title"), "attachments": len(it.get("attachments") or []) or None}.items() if v}
            out.append(Activity(id=self.act_id(f"post:{owner}:{it['timestamp']}:{short_hash(text or '', url or '')}"),
                                channel=self.channel, kind="post", ts=ts, actor=owner, url=url,
                                text=self.text(text), native=native or None))
        return out

    def _comments(self, where: str, items: list[Any], owner: str) -> list[Activity]:
        out = []
        for n, it in enumerate(items, 1):
            c = next((d["comment"] for d in (it.get("data") or []) if isinstance(d, dict)
                      and isinstance(d.get("comment"), dict)), {}) if isinstance(it, dict) else {}
            ts = _ts(c.get("timestamp")) or (_ts(it.get("timestamp")) if isinstance(it, dict) else None)
            if ts is None:
                self.bad(f"comment {n}", "an object with a Unix timestamp", repr(it)[:60], file=where)
                continue
            title = it.get("title") if isinstance(it.get("title"), str) else None
            actor = self._person(c.get("author")) or owner
            target = self._person(title_target(title, owner))
            kind = "reply" if title and re.search(r"replied to|a répondu", title) else "comment"
            out.append(Activity(
                id=self.act_id(f"comment:{owner}:{it.get('timestamp')}:{short_hash(c.get('comment') or '', title or '')}"),
                channel=self.channel, kind=kind, ts=ts, actor=actor, target=target,
                text=self.text(c.get("comment") if isinstance(c.get("comment"), str) else None),
                native={"title": title, **({"group": c["group"]} if c.get("group") else {})}))
        return out

    def _reactions(self, where: str, items: list[Any], owner: str) -> list[Activity]:
        out = []
        for n, it in enumerate(items, 1):
            ts = _ts(it.get("timestamp")) if isinstance(it, dict) else None
            if ts is None:
                self.bad(f"reaction {n}", "an object with a Unix timestamp", repr(it)[:60], file=where)
                continue
            r = next((d["reaction"] for d in it.get("data") or [] if isinstance(d, dict)
                      and isinstance(d.get("reaction"), dict)), {})
            title = it.get("title") if isinstance(it.get("title"), str) else None
            actor = self._person(r.get("actor")) or owner
            target = self._person(title_target(title, owner))
            out.append(Activity(id=self.act_id(f"reaction:{owner}:{it['timestamp']}:{title or ''}"),
                                channel=self.channel, kind="like", ts=ts, actor=actor, target=target,
                                native={"reaction": r.get("reaction"), "title": title}))
        return out

    def _thread(self, arc: Archive, folder: str, parts: list[tuple[str, Any]], owner: str) -> tuple[int, list[Activity], int]:
        msgs: list[tuple[str, int, dict[str, Any]]] = []
        participants: set[str] = set()
        title = None
        for name, doc in sorted(parts):
            if not isinstance(doc, dict) or not isinstance(doc.get("messages"), list):
                raise BadInput(arc.where(name), "the document", "an object with 'messages'", type(doc).__name__)
            participants |= {p["name"] for p in doc.get("participants") or [] if isinstance(p, dict)
                             and isinstance(p.get("name"), str)}
            title = title or doc.get("title")
            msgs += [(arc.where(name), i, m) for i, m in enumerate(doc["messages"], 1)]
        thread_key = folder.rsplit("/", 1)[-1]
        thread = self.act_id(f"thread:{owner}:{thread_key}")
        for p in participants:
            self._person(p)
        good: list[tuple[datetime, str, dict[str, Any]]] = []
        skipped = 0
        for where, i, m in msgs:
            ts = _ts(m.get("timestamp_ms"), ms=True) if isinstance(m, dict) else None
            sender = self._person(m.get("sender_name")) if isinstance(m, dict) else None
            if ts is None or sender is None:
                self.bad(f"message {i}", "a message with sender_name and timestamp_ms", repr(m)[:60], file=where)
                continue
            if m.get("type") in ("Subscribe", "Unsubscribe"):
                skipped += 1
                continue
            good.append((ts, sender, m))
        good.sort(key=lambda x: (x[0], x[1]))
        out: list[Activity] = []
        last: dict[str, tuple[datetime, str]] = {}  # sender -> (time, id) of their last message
        seen: dict[str, int] = {}
        for ts, sender, m in good:
            content = m.get("content") if isinstance(m.get("content"), str) else None
            base = f"msg:{owner}:{thread_key}:{m['timestamp_ms']}:{sender}:{short_hash(content or '')}"
            seen[base] = seen.get(base, 0) + 1
            mid = self.act_id(base if seen[base] == 1 else f"{base}:{seen[base]}")
            target = None
            if len(participants) == 2:
                target = next(iter(participants - {sender}), None)
            parent = max(((k, v) for k, v in last.items() if k != sender), key=lambda kv: kv[1][0], default=None)
            native: dict[str, Any] = {"conversation": title, "participants": len(participants)}
            for key in ("photos", "videos", "audio_files", "files", "gifs", "sticker", "share"):
                if m.get(key):
                    native[key] = len(m[key]) if isinstance(m[key], list) else True
            out.append(Activity(id=mid, channel=self.channel, kind="message", ts=ts, actor=sender, target=target,
                                thread_id=thread, in_reply_to=parent[1][1] if parent else None,
                                text=self.text(content), native=native))
            last[sender] = (ts, mid)
            for r in m.get("reactions") or []:
                who = self._person(r.get("actor")) if isinstance(r, dict) else None
                if who:
                    out.append(Activity(id=self.act_id(f"{base}#reaction:{who}"), channel=self.channel, kind="like",
                                        ts=ts, actor=who, target=sender, thread_id=thread, in_reply_to=mid,
                                        native={"reaction": r.get("reaction")}))
        return len(msgs), out, skipped


__all__ = ["FacebookSource", "unmojibake", "title_target"]
