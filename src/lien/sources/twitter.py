"""X/Twitter account archive (Settings → Your account → Download an archive of your data),
and search-API JSON (``{"statuses": [...]}``, v1.1).

The archive is a zip (or its folder) whose ``data/*.js`` files each assign a JSON array
to a global: ``window.YTD.tweets.part0 = [...]`` (large files come in parts, ``tweets-
part1.js`` …). What becomes what:

- ``tweets.js`` (older archives: ``tweet.js``): a tweet → ``post``; with
  ``in_reply_to_status_id`` → ``reply`` addressed to ``in_reply_to_user_id``; a retweet
  (``retweeted_status``, or a text starting ``RT @name:``) → ``share`` addressed to the
  retweeted account; each account in ``entities.user_mentions`` that the tweet does not
  already address → ``mention`` (once per thread: replies carry the thread's names along);
- ``like.js`` → ``like`` (the archive names the tweet, not its author);
- ``follower.js`` → ``follow`` of the owner by each follower; ``following.js`` → ``follow``
  by the owner;
- ``account.js`` / ``manifest.js`` / ``profile.js`` → the owner's identity (e-mail, bio,
  website, location in ``native``).

Accounts are keyed by their numeric id as a URL, ``https://x.com/i/user/<id>`` (follower
lists give ids only, and screen names change); the ``@screen_name`` is the display name and
``https://x.com/<screen_name>`` the profile URL when known. Every account is on the channel
``twitter:x.com`` (``--channel`` overrides).

Dates: tweets carry theirs. Likes are dated by the tweet's id (a "snowflake" id encodes its
creation time; the like came later), never before the account was created; follows, which
the archive does not date, by the archive's generation date (``manifest.js``), else its last
tweet. ``native.ts_from`` says which.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, ClassVar, Iterator

import orjson

from ..errors import BadInput
from ..i18n import register, t
from .archive import Archive, is_zip
from .base import Activity, Batch, Identity, Source

register({
    "twitter.undated": {
        "en": "{n} {what} dated by the archive ({ts}): the archive does not date them",
        "fr": "{n} {what} datés par l'archive ({ts}) : l'archive ne les date pas"},
})

CHANNEL = "twitter:x.com"
_PREFIX = re.compile(rb"^\s*window\.[\w.$]+\s*=\s*")
_RT = re.compile(r"^RT @(\w{1,15}):")
_TWEPOCH_MS = 1288834974657


def user_key(user_id: str | int) -> str:
    return f"https://x.com/i/user/{user_id}"


def snowflake_time(tweet_id: str | int) -> datetime | None:
    """When a tweet with this id was created (ids after November 2010 encode it)."""
    try:
        n = int(tweet_id)
    except (TypeError, ValueError):
        return None
    if n < (1 << 32):  # older sequential ids carry no time
        return None
    return datetime.fromtimestamp(((n >> 22) + _TWEPOCH_MS) / 1000, tz=timezone.utc).replace(tzinfo=None)


def parse_ytd(data: bytes, where: str) -> Any:
    """The JSON a ``window.YTD.<name>.partN = …`` file assigns."""
    m = _PREFIX.match(data)
    body = data[m.end():] if m else data
    body = body.strip().rstrip(b";")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as e:
        line = e.lineno + (data[: m.end()].count(b"\n") if m else 0)
        raise BadInput(where, f"line {line}, column {e.colno}", "a JSON array after 'window.YTD.<name>.partN ='",
                       e.msg) from e


def _created(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    for fmt in ("%a %b %d %H:%M:%S %z %Y",):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            pass
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _s(v: Any) -> str | None:
    return str(v) if isinstance(v, (str, int)) and str(v) else None


class TwitterSource(Source):
    """An X/Twitter archive (zip, folder or one of its data/*.js files), or search-API JSON."""

    name = "twitter"
    label = "X/Twitter account archive (zip or folder), or search-API JSON"
    version = "1"
    kinds: ClassVar[tuple[str, ...]] = ("post", "reply", "share", "mention", "like", "follow")
    takes_directory = True

    @classmethod
    def detect(cls, path: Path, head: bytes) -> int:
        if path.is_dir():
            return 90 if any((path / d / f).is_file() for d in ("data", ".") for f in ("tweets.js", "tweet.js")) else 0
        if head.lstrip().startswith(b"window.YTD."):
            return 90
        if path.suffix.lower() == ".json" and b'"statuses"' in head and b'"id_str"' in head:
            return 60
        if is_zip(path):
            try:
                with Archive(path) as arc:
                    return 90 if arc.find("data/tweets.js", "data/tweet.js", "data/tweets-part*.js") else 0
            except BadInput:
                return 0
        return 0

    def read(self) -> Iterator[Batch]:
        self.namespace = self.name
        self.channel = self.options.channel or CHANNEL
        self.people: dict[str, Identity] = {}
        if self.path.is_file() and not is_zip(self.path):
            with open(self.path, "rb") as f:
                head = f.read(64)
            if not head.lstrip().startswith(b"window."):
                yield from self._search_api()
                return
            root = self.path.parent.parent if self.path.parent.name == "data" else self.path.parent
            arc = Archive(root)
        else:
            arc = Archive(self.path, self.location)
        with arc:
            yield from self._archive(arc)

    # -- identities --------------------------------------------------------------------------
    def _person(self, uid: Any, screen_name: Any = None, name: Any = None, **native: Any) -> str | None:
        uid = _s(uid)
        if uid is None or uid == "-1":
            return None
        key = user_key(uid)
        sn = _s(screen_name)
        cur = self.people.get(key)
        if cur is None or (sn and not (cur.native or {}).get("screen_name")):
            disp = _s(name) or (f"@{sn}" if sn else None)
            nat = {"id": uid, **({"screen_name": sn} if sn else {}), **{k: v for k, v in native.items() if v}}
            self.people[key] = Identity(channel=self.channel, key=key, display_name=disp,
                                        url=f"https://x.com/{sn}" if sn else None, native=nat)
        return key

    # -- the archive -------------------------------------------------------------------------
    def _parts(self, arc: Archive, *names: str) -> list[tuple[str, list[Any]]]:
        out = []
        for name in names:
            for member in arc.glob(f"data/{name}.js") + arc.glob(f"data/{name}-part*.js"):
                doc = parse_ytd(arc.read_bytes(member), arc.where(member))
                if not isinstance(doc, list):
                    raise BadInput(arc.where(member), "the document", "a JSON array", type(doc).__name__)
                out.append((arc.where(member), doc))
        return out

    def _one(self, arc: Archive, name: str, key: str) -> dict[str, Any]:
        for _, doc in self._parts(arc, name):
            for item in doc:
                if isinstance(item, dict) and isinstance(item.get(key), dict):
                    return item[key]
        return {}

    def _archive(self, arc: Archive) -> Iterator[Batch]:
        tweet_files = self._parts(arc, "tweets", "tweet")
        if not tweet_files and not arc.find("data/account.js", "data/manifest.js"):
            raise BadInput(self.location, "the archive", "data/tweets.js or data/account.js",
                           ", ".join(arc.names()[:8]) or "no file")
        manifest: dict[str, Any] = {}
        m = arc.find("data/manifest.js")
        if m:
            doc = parse_ytd(arc.read_bytes(m), arc.where(m))
            manifest = doc if isinstance(doc, dict) else {}
        account = self._one(arc, "account", "account")
        profile = self._one(arc, "profile", "profile")
        info = manifest.get("userInfo") or {}
        owner_id = _s(account.get("accountId")) or _s(info.get("accountId"))
        if owner_id is None:
            raise BadInput(self.location, "the archive", "the account's id (data/account.js or data/manifest.js)", "none")
        sn = _s(account.get("username")) or _s(info.get("userName"))
        desc = profile.get("description") or {}
        owner = self._person(owner_id, sn, account.get("accountDisplayName") or info.get("displayName"),
                             bio=desc.get("bio"), website=desc.get("website"), location=desc.get("location"),
                             created=account.get("createdAt"))
        assert owner is not None
        if account.get("email"):
            self.people[owner].email = str(account["email"]).lower()
        created = _created(account.get("createdAt"))
        created = self.utc(created) if created else None
        generated = _created((manifest.get("archiveInfo") or {}).get("generationDate"))

        tweets: list[tuple[str, int, dict[str, Any]]] = []
        for where, doc in tweet_files:
            for n, item in enumerate(doc, 1):
                tw = item.get("tweet", item) if isinstance(item, dict) else item
                tweets.append((where, n, tw))
        acts = self._tweets(tweets, owner_id, sn)
        latest = max((a.ts for a in acts), default=None)
        when = self.utc(generated) if generated else (latest or created)
        read = len(tweets)
        for where, doc in self._parts(arc, "like"):
            read += len(doc)
            acts += self._likes(where, doc, owner, created, when)
        for name in ("follower", "following"):
            for where, doc in self._parts(arc, name):
                read += len(doc)
                acts += self._follows(where, doc, name, owner, when, "archive" if generated else "last_tweet")
        yield Batch(identities=list(self.people.values()), activities=acts, records=read)

    def _tweets(self, items: list[tuple[str, int, Any]], owner_id: str | None, owner_sn: str | None) -> list[Activity]:
        """Tweets of the archive (by the owner) or of the search API (each with its user)."""
        parents: dict[str, str | None] = {}
        for _, _, tw in items:
            if isinstance(tw, dict) and _s(tw.get("id_str") or tw.get("id")):
                parents[str(tw.get("id_str") or tw.get("id"))] = _s(tw.get("in_reply_to_status_id_str")
                                                                     or tw.get("in_reply_to_status_id"))

        def root_of(tid: str) -> str:
            cur, hops = tid, 0
            while hops < 100_000:
                p = parents.get(cur)
                if not p or p == cur:
                    return cur
                if p not in parents:
                    return p
                cur, hops = p, hops + 1
            return cur

        acts: list[Activity] = []
        mentioned: set[tuple[str, str]] = set()
        for where, n, tw in items:
            tid = _s(tw.get("id_str") or tw.get("id")) if isinstance(tw, dict) else None
            record = f"tweet {n}" + (f" (id {tid})" if tid else "")
            if tid is None:
                self.bad(record, "a tweet object with an id_str", repr(tw)[:60], file=where)
                continue
            ts = _created(tw.get("created_at"))
            if ts is None:
                self.bad(record, "a created_at date ('Wed Mar 01 10:00:00 +0000 2023')", repr(tw.get("created_at")),
                         file=where)
                continue
            user = tw.get("user") if isinstance(tw.get("user"), dict) else {}
            uid = _s(user.get("id_str") or user.get("id")) or owner_id
            sn = _s(user.get("screen_name")) or (owner_sn if uid == owner_id else None)
            actor = self._person(uid, sn, user.get("name"), location=user.get("location"),
                                 description=user.get("description"))
            if actor is None:
                self.bad(record, "the tweet's author", "none", file=where)
                continue
            text = self._text(tw)
            ents = tw.get("entities") if isinstance(tw.get("entities"), dict) else {}
            mentions = [m for m in ents.get("user_mentions") or [] if isinstance(m, dict)]
            for m in mentions:
                self._person(m.get("id_str") or m.get("id"), m.get("screen_name"), m.get("name"))
            url = f"https://x.com/{sn}/status/{tid}" if sn else f"https://x.com/i/status/{tid}"
            native: dict[str, Any] = {"id": tid}
            hashtags = [h.get("text") for h in ents.get("hashtags") or [] if isinstance(h, dict)]
            if hashtags:
                native["hashtags"] = hashtags
            if tw.get("is_quote_status") and _s(tw.get("quoted_status_id_str")):
                native["quoted"] = tw["quoted_status_id_str"]
            lang = tw.get("lang") if isinstance(tw.get("lang"), str) and tw.get("lang") not in ("und", "") else None
            rt = tw.get("retweeted_status") if isinstance(tw.get("retweeted_status"), dict) else None
            rt_name = _RT.match(text or "")
            if rt is not None or rt_name:
                if rt is not None:
                    ru = rt.get("user") or {}
                    target = self._person(ru.get("id_str") or ru.get("id"), ru.get("screen_name"), ru.get("name"))
                    native["retweeted"] = _s(rt.get("id_str"))
                else:
                    m = next((m for m in mentions if str(m.get("screen_name", "")).lower()
                              == rt_name.group(1).lower()), None)  # type: ignore[union-attr]
                    target = self._person(m.get("id_str") or m.get("id")) if m else None
                # the words are the retweeted author's, not the actor's: no text
                acts.append(Activity(id=self.act_id(tid), channel=self.channel, kind="share", ts=self.utc(ts),
                                     actor=actor, target=target, url=url, native=native))
                continue
            parent = parents.get(tid)
            target = None
            if parent:
                target = self._person(tw.get("in_reply_to_user_id_str") or tw.get("in_reply_to_user_id"),
                                      tw.get("in_reply_to_screen_name"))
            root = root_of(tid)
            acts.append(Activity(
                id=self.act_id(tid), channel=self.channel, kind="reply" if parent else "post", ts=self.utc(ts),
                actor=actor, thread_id=self.act_id(root), in_reply_to=self.act_id(parent) if parent else None,
                target=target, url=url, text=text, lang=lang, native=native))
            for m in mentions:
                key = self._person(m.get("id_str") or m.get("id"))
                if key is None or key in (actor, target) or (root, key) in mentioned:
                    continue
                mentioned.add((root, key))
                acts.append(Activity(id=self.act_id(f"{tid}#mention:{key}"), channel=self.channel, kind="mention",
                                     ts=self.utc(ts), actor=actor, thread_id=self.act_id(root), target=key, url=url,
                                     native={"id": tid}))
        return acts

    def _text(self, tw: dict[str, Any]) -> str | None:
        ext = tw.get("extended_tweet") if isinstance(tw.get("extended_tweet"), dict) else {}
        text = ext.get("full_text") or tw.get("full_text") or tw.get("text")
        if not isinstance(text, str):
            return None
        ents = ext.get("entities") or tw.get("entities") or {}
        for u in (ents.get("urls") or []) + (ents.get("media") or []):
            if isinstance(u, dict) and isinstance(u.get("url"), str) and isinstance(u.get("expanded_url"), str):
                text = text.replace(u["url"], u["expanded_url"])
        return self.text(text)

    def _likes(self, where: str, doc: list[Any], owner: str, created: datetime | None,
               when: datetime | None) -> list[Activity]:
        out, undated = [], 0
        for n, item in enumerate(doc, 1):
            like = item.get("like") if isinstance(item, dict) else None
            tid = _s(like.get("tweetId")) if isinstance(like, dict) else None
            if tid is None:
                self.bad(f"like {n}", "a like with a tweetId", repr(item)[:60], file=where)
                continue
            ts, source = snowflake_time(tid), "tweet_id"
            if ts is not None and created is not None and ts < created:
                ts, source = created, "account_created"
            if ts is None:
                if when is None:
                    self.bad(f"like {n} (tweet {tid})", "a dated tweet id, or a dated archive", "neither", file=where)
                    continue
                ts, source = when, "archive"
                undated += 1
            text = like.get("fullText") if isinstance(like.get("fullText"), str) else None  # type: ignore[union-attr]
            out.append(Activity(id=self.act_id(f"{owner}#like:{tid}"), channel=self.channel, kind="like", ts=ts,
                                actor=owner, url=_s(like.get("expandedUrl")) or f"https://x.com/i/status/{tid}",  # type: ignore[union-attr]
                                native={"tweet": tid, "ts_from": source, **({"text": self.text(text)} if text else {})}))
        if undated:
            self.warn(t("twitter.undated", n=undated, what="likes", ts=when))
        return out

    def _follows(self, where: str, doc: list[Any], name: str, owner: str, when: datetime | None,
                 source: str) -> list[Activity]:
        out = []
        for n, item in enumerate(doc, 1):
            f = item.get(name) if isinstance(item, dict) else None
            key = self._person(f.get("accountId")) if isinstance(f, dict) else None
            if key is None:
                self.bad(f"{name} {n}", "an entry with an accountId", repr(item)[:60], file=where)
                continue
            if when is None:
                self.bad(f"{name} {n}", "a dated archive (manifest.js or tweets)", "no date", file=where)
                continue
            actor, target = (key, owner) if name == "follower" else (owner, key)
            out.append(Activity(id=self.act_id(f"{name}:{actor}>{target}"), channel=self.channel, kind="follow",
                                ts=when, actor=actor, target=target, native={"ts_from": source}))
        return out

    # -- search API JSON ---------------------------------------------------------------------
    def _search_api(self) -> Iterator[Batch]:
        try:
            doc = orjson.loads(self.path.read_bytes())
        except orjson.JSONDecodeError as e:
            raise BadInput(self.location, f"line {e.lineno}, column {e.colno}", "JSON", e.msg) from e
        statuses = doc.get("statuses") if isinstance(doc, dict) else doc if isinstance(doc, list) else None
        if not isinstance(statuses, list):
            raise BadInput(self.location, "the document", "search-API JSON: an object with 'statuses', or a list",
                           type(doc).__name__)
        items = [(self.location, n, s) for n, s in enumerate(statuses, 1)]
        acts = self._tweets(items, None, None)
        yield Batch(identities=list(self.people.values()), activities=acts, records=len(statuses))


__all__ = ["TwitterSource", "parse_ytd", "snowflake_time", "user_key"]
