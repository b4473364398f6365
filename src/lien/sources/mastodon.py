"""Mastodon account archive (Preferences → Import and export → Request your archive).

The archive is a zip (or the folder it unpacks to, or its ``outbox.json``) holding
ActivityPub JSON: ``actor.json`` (the account), ``outbox.json`` (what it published),
``likes.json`` (what it favourited) and ``bookmarks.json`` (private: not read).

What becomes what:

- ``Create`` of a ``Note`` (or a poll, ``Question``) → ``post``, or ``reply`` when it has
  ``inReplyTo``; the reply's ``target`` is the replied-to account: the archive's owner when
  the parent is in the outbox, else the account in the parent's URL (``…/users/<name>/
  statuses/<id>``), else the first account the note mentions;
- each ``Mention`` in a note's ``tag`` that is neither the owner nor that target → one
  ``mention`` act, at the note's time, in its thread, addressed to the mentioned account;
- ``Announce`` (a boost) → ``share`` of its object (often a bare URL), addressed to the
  boosted account (from ``cc``, the embedded object, or the URL);
- each URL of ``likes.json`` → ``like``. The archive does not date likes: a like is dated by
  the liked status's id when it is a Mastodon id (which encodes its creation time: the like
  came later), else by the archive's last activity; ``native.ts_from`` says which.

Accounts are keyed by their ActivityPub id (the URL other servers use in mentions and
replies). The owner lives on ``mastodon:<their server>``; other accounts on
``mastodon:<their server>`` too, so that the same account seen from two archives is one
identity. ``--channel`` puts everything on one channel. The owner's profile fields
(``attachment`` ``PropertyValue`` s) and ``alsoKnownAs`` are kept with their links in the
identity's ``native``, for identity resolution.

JSON objects with a repeated key keep the last value, as JSON parsers do.
"""
from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, ClassVar, Iterator
from urllib.parse import urlsplit


from ..errors import BadInput
from ..i18n import register, t
from .archive import Archive, is_zip
from .base import Activity, Batch, Identity, Source

register({
    "mastodon.skipped_types": {"en": "outbox activities of other types not imported: {types}",
                               "fr": "activités de l'outbox d'autres types non importées : {types}"},
    "mastodon.like_dates": {
        "en": "{n} likes dated by the archive's last activity ({ts}): their status ids carry no date",
        "fr": "{n} mentions j'aime datées par la dernière activité de l'archive ({ts}) : leur id ne porte pas de date"},
})

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
_ACCOUNT_IN_STATUS = re.compile(r"^(https?://[^/]+/(?:ap/)?users/[^/]+)/statuses/[^/]+/?$")
_SNOWFLAKE = re.compile(r"/(\d{15,20})/?$")
_EPOCH_FLOOR = datetime(2016, 3, 1)  # Mastodon's first release


def account_of_status(url: str | None) -> str | None:
    """The account URL in a Mastodon status URL (``…/users/<name>/statuses/<id>``)."""
    if not url:
        return None
    m = _ACCOUNT_IN_STATUS.match(url)
    return m.group(1) if m else None


def snowflake_time(url: str) -> datetime | None:
    """The creation time a Mastodon status id encodes (milliseconds << 16), when plausible
    (after Mastodon's first release, before tomorrow)."""
    m = _SNOWFLAKE.search(url)
    if not m:
        return None
    try:
        dt = datetime.fromtimestamp((int(m.group(1)) >> 16) / 1000, tz=timezone.utc).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return None
    if dt < _EPOCH_FLOOR or dt > datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(days=1):
        return None
    return dt


def _iso(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _host(url: str) -> str:
    return urlsplit(url).hostname or "unknown"


def _links(html: str | None) -> list[str]:
    return re.findall(r'href="([^"]+)"', html or "")


def _visibility(obj: dict[str, Any], followers: str | None) -> str:
    to = obj.get("to") or []
    cc = obj.get("cc") or []
    to = [to] if isinstance(to, str) else to
    cc = [cc] if isinstance(cc, str) else cc
    if PUBLIC in to:
        return "public"
    if PUBLIC in cc:
        return "unlisted"
    if followers and followers in to + cc:
        return "private"
    return "direct"


class MastodonSource(Source):
    """A Mastodon account archive: the zip, its folder, or its outbox.json."""

    name = "mastodon"
    label = "Mastodon account archive (zip, folder or outbox.json)"
    version = "1"
    kinds: ClassVar[tuple[str, ...]] = ("post", "reply", "mention", "share", "like")
    takes_directory = True

    @classmethod
    def detect(cls, path: Path, head: bytes) -> int:
        if path.is_dir():
            return 90 if (path / "outbox.json").is_file() else 0
        if path.name == "outbox.json" or (path.suffix == ".json" and b'"orderedItems"' in head
                                          and b"activitystreams" in head):
            return 90
        if is_zip(path):
            try:
                with Archive(path) as arc:
                    return 90 if arc.find("outbox.json") else 0
            except BadInput:
                return 0
        return 0

    # -- reading -----------------------------------------------------------------------------
    def _json(self, arc: Archive, name: str) -> Any:
        return self.load_json(arc.read_bytes(name), "JSON", arc.where(name), skippable=False)

    def read(self) -> Iterator[Batch]:
        root = self.path.parent if self.path.is_file() and not is_zip(self.path) else self.path
        with Archive(root, self.location if root == self.path else str(root)) as arc:
            outbox_name = arc.find("outbox.json")
            if outbox_name is None:
                raise BadInput(self.location, "the archive", "an outbox.json", ", ".join(arc.names()[:8]) or "no file")
            outbox = self._json(arc, outbox_name)
            if not isinstance(outbox, dict) or not isinstance(outbox.get("orderedItems"), list):
                raise BadInput(arc.where(outbox_name), "the document", "an OrderedCollection with orderedItems",
                               type(outbox).__name__ if not isinstance(outbox, dict) else ", ".join(list(outbox)[:8]))
            actor_name = arc.find("actor.json")
            actor = self._json(arc, actor_name) if actor_name else {}
            likes_name = arc.find("likes.json")
            likes = self._json(arc, likes_name) if likes_name else {}
            yield from self._read(arc, outbox_name, outbox["orderedItems"], actor if isinstance(actor, dict) else {},
                                  likes_name, likes)

    def _read(self, arc: Archive, where_name: str, items: list[Any], actor: dict[str, Any],
              likes_name: str | None, likes: Any) -> Iterator[Batch]:
        where = arc.where(where_name)
        owner = actor.get("id") if isinstance(actor.get("id"), str) else None
        if owner is None:
            owner = next((x.get("actor") for x in items if isinstance(x, dict) and isinstance(x.get("actor"), str)), None)
        if owner is None:
            raise BadInput(where, "the archive", "the account's id (actor.json, or an item's actor)", "none")
        home = self.options.channel or f"mastodon:{_host(owner)}"
        followers = actor.get("followers") if isinstance(actor.get("followers"), str) else f"{owner}/followers"

        def chan(account: str) -> str | None:
            return None if self.options.channel else f"mastodon:{_host(account)}"

        identities: dict[str, Identity] = {owner: self._owner(actor, owner, home)}

        def person(href: str, name: str | None = None) -> None:
            if href == owner:
                return
            if href not in identities or (name and not identities[href].display_name):
                identities[href] = Identity(channel=chan(href) or home, key=href, display_name=name, url=href)

        # notes and their parents, to resolve threads
        notes: dict[str, str | None] = {}
        for x in items:
            if isinstance(x, dict) and x.get("type") == "Create" and isinstance(x.get("object"), dict):
                oid = x["object"].get("id")
                if isinstance(oid, str):
                    parent = x["object"].get("inReplyTo")
                    notes[oid] = parent if isinstance(parent, str) else None

        def root_of(oid: str) -> str:
            cur, hops = oid, 0
            while hops < 100_000:
                parent = notes.get(cur)
                if parent is None or parent == cur:
                    return cur
                if parent not in notes:
                    return parent
                cur, hops = parent, hops + 1
            return cur

        acts: list[Activity] = []
        other: Counter[str] = Counter()
        consumed = 0
        mentioned: set[tuple[str, str]] = set()  # (thread root, account): mentions carried along a thread
        latest: datetime | None = None
        for n, x in enumerate(items, 1):
            consumed += 1
            if not isinstance(x, dict):
                self.bad(f"item {n}", "an activity object", type(x).__name__, file=where)
                continue
            kind = x.get("type")
            record = f"item {n} ({x.get('id')})"
            if kind not in ("Create", "Announce"):
                other[str(kind)] += 1
                continue
            obj = x.get("object")
            ts = _iso(x.get("published")) or (_iso(obj.get("published")) if isinstance(obj, dict) else None)
            if ts is None:
                self.bad(record, "a published date (ISO 8601)", repr(x.get("published")), file=where)
                continue
            ts = self.utc(ts)
            latest = max(latest, ts) if latest else ts
            if kind == "Announce":
                acts.append(self._share(x, obj, ts, home, owner, chan, person, record, where))
            else:
                if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
                    self.bad(record, "a Note object with an id", repr(obj)[:60], file=where)
                    continue
                acts.extend(self._note(obj, ts, home, owner, followers, notes, root_of, chan, person, mentioned))
            if len(acts) >= self.options.chunk_size:
                yield Batch(identities=list(identities.values()), activities=acts, records=consumed)
                acts, consumed = [], 0
        if other:
            self.warn(t("mastodon.skipped_types", types=", ".join(f"{k} ({v})" for k, v in sorted(other.items()))))
        created = _iso(actor.get("published"))
        liked = self._likes(arc, likes_name, likes, owner, home, chan, person, latest or self.utc(created),
                            self.utc(created))
        n_likes = len(likes.get("orderedItems") or []) if isinstance(likes, dict) else 0
        yield Batch(identities=list(identities.values()), activities=acts + liked, records=consumed + n_likes)

    def _owner(self, actor: dict[str, Any], owner: str, home: str) -> Identity:
        fields = []
        for f in actor.get("attachment") or []:
            if isinstance(f, dict) and f.get("type") == "PropertyValue":
                value = f.get("value") if isinstance(f.get("value"), str) else None
                fields.append({"name": f.get("name"), "value": self.text(value), "links": _links(value)})
        native = {k: v for k, v in {
            "webfinger": actor.get("webfinger"), "preferredUsername": actor.get("preferredUsername"),
            "summary": self.text(actor.get("summary")) if isinstance(actor.get("summary"), str) else None,
            "fields": fields or None, "alsoKnownAs": actor.get("alsoKnownAs") or None,
            "published": actor.get("published"),
        }.items() if v}
        name = actor.get("name") or actor.get("preferredUsername")
        return Identity(channel=home, key=owner, display_name=name if isinstance(name, str) and name else None,
                        url=actor.get("url") if isinstance(actor.get("url"), str) else owner, native=native or None)

    def _note(self, obj: dict[str, Any], ts: datetime, home: str, owner: str, followers: str,
              notes: dict[str, str | None], root_of: Any, chan: Any, person: Any,
              mentioned: set[tuple[str, str]]) -> list[Activity]:
        oid = obj["id"]
        parent = notes.get(oid)
        mentions = []
        hashtags = []
        for tag in obj.get("tag") or []:
            if not isinstance(tag, dict):
                continue
            if tag.get("type") == "Mention" and isinstance(tag.get("href"), str):
                mentions.append(tag["href"])
                person(tag["href"], tag.get("name") if isinstance(tag.get("name"), str) else None)
            elif tag.get("type") == "Hashtag" and isinstance(tag.get("name"), str):
                hashtags.append(tag["name"])
        target = None
        native: dict[str, Any] = {"uri": oid, "visibility": _visibility(obj, followers)}
        if parent:
            if parent in notes:
                target = owner
            else:
                target = account_of_status(parent)
                if target is None and mentions:
                    target, native["target_from"] = mentions[0], "mention"
            if target:
                person(target)
        cmap = obj.get("contentMap")
        lang = next(iter(cmap)) if isinstance(cmap, dict) and len(cmap) == 1 else None
        if hashtags:
            native["hashtags"] = hashtags
        if obj.get("attachment"):
            native["attachments"] = len(obj["attachment"])
        root = root_of(oid)
        thread = self.act_id(root)
        content = obj.get("content") if isinstance(obj.get("content"), str) else None
        summary = obj.get("summary") if isinstance(obj.get("summary"), str) else None
        url = obj.get("url") if isinstance(obj.get("url"), str) else oid
        out = [Activity(
            id=self.act_id(oid), channel=home, kind="reply" if parent else "post", ts=ts, actor=owner,
            thread_id=thread, in_reply_to=self.act_id(parent) if parent else None,
            target=target, target_channel=chan(target) if target else None, url=url,
            title=self.text(summary), text=self.text(content), lang=lang, native=native)]
        for href in dict.fromkeys(mentions):
            if href in (owner, target) or (root, href) in mentioned:
                continue
            mentioned.add((root, href))
            out.append(Activity(
                id=self.act_id(f"{oid}#mention:{href}"), channel=home, kind="mention", ts=ts, actor=owner,
                thread_id=thread, target=href, target_channel=chan(href), url=url, native={"uri": oid}))
        return out

    def _share(self, x: dict[str, Any], obj: Any, ts: datetime, home: str, owner: str, chan: Any, person: Any,
               record: str, where: str) -> Activity:
        if isinstance(obj, dict):
            url, author = obj.get("id"), obj.get("attributedTo")
        else:
            url, author = obj, None
        if not isinstance(url, str):
            raise BadInput(where, record, "a boosted object or its URL", repr(obj)[:60])
        if not isinstance(author, str):
            cc = [c for c in (x.get("cc") or []) if isinstance(c, str) and c != PUBLIC and not c.endswith("/followers")]
            author = account_of_status(url) or (cc[0] if len(cc) == 1 else None)
        if author:
            person(author)
        aid = x.get("id") if isinstance(x.get("id"), str) else f"{owner}#announce:{url}"
        return Activity(id=self.act_id(aid), channel=home, kind="share", ts=ts, actor=owner, target=author,
                        target_channel=chan(author) if author and author != owner else None, url=url,
                        native={"object": url})

    def _likes(self, arc: Archive, name: str | None, likes: Any, owner: str, home: str, chan: Any, person: Any,
               latest: datetime | None, created: datetime | None) -> list[Activity]:
        if name is None:
            return []
        where = arc.where(name)
        items = likes.get("orderedItems") if isinstance(likes, dict) else None
        if not isinstance(items, list):
            raise BadInput(where, "the document", "an OrderedCollection with orderedItems", repr(likes)[:60])
        out = []
        undated = 0
        for n, url in enumerate(items, 1):
            if isinstance(url, dict):
                url = url.get("id") or url.get("object")
            if not isinstance(url, str):
                self.bad(f"item {n}", "the URL of a liked status", repr(url)[:60], file=where)
                continue
            ts = snowflake_time(url)
            native = {"object": url, "ts_from": "status_id"}
            if ts is not None and created is not None and ts < created:
                ts, native["ts_from"] = created, "account_created"  # liked an older status
            if ts is None:
                if latest is None:
                    self.bad(f"item {n} ({url})", "a dated status id, or a dated activity in the archive", "neither",
                             file=where)
                    continue
                ts, native["ts_from"] = latest, "archive"
                undated += 1
            author = account_of_status(url)
            if author:
                person(author)
            out.append(Activity(id=self.act_id(f"{owner}#like:{url}"), channel=home, kind="like", ts=ts, actor=owner,
                                target=author, target_channel=chan(author) if author and author != owner else None,
                                url=url, native=native))
        if undated:
            self.warn(t("mastodon.like_dates", n=undated, ts=latest))
        return out


__all__ = ["MastodonSource", "account_of_status", "snowflake_time"]
