"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds, with comment feeds, through feedparser.

What becomes what:

- an item of a site's feed is a ``post`` by its author (identity key: the author's e-mail,
  else profile URL, else name; generic ``noreply@`` addresses such as Blogger's are not
  identities); an item without any author is the site's own (key: the site's home URL,
  display name: the feed's title);
- an item of a WordPress comments feed (guid or link ending in ``#comment-N``) is a
  ``comment`` on its post: ``thread_id`` and ``in_reply_to`` are the post's id, computed
  from the post's guid (the comment's guid without its fragment) exactly as the post item's
  own id is, so posts and comments meet in one thread whichever feed came first. A comment
  whose body opens with WordPress' "In reply to <a href=…#comment-M>Name</a>." is a
  ``reply`` to comment M;
- an Atom entry with ``thr:in-reply-to`` (RFC 4685) is a ``comment`` on the referenced
  entry, or a ``reply`` when that entry is itself a comment (in the same feed or already in
  the workspace).

Ids are the item's guid (else its link, else a hash of its title, date and text) hashed in a
namespace per site (``feed:<host>``), so a site-wide comments feed and per-post comments
feeds overlap without duplicates. Dates: published, else updated; RFC 822 dates written with
Portuguese, Spanish, French, German, Italian or Dutch day and month names are understood; an
item with no date at all takes the feed's own date with a warning, or is a bad record when
the feed has none either.
"""
from __future__ import annotations

import calendar
import email.utils
import hashlib
import re
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, Iterator
from urllib.parse import urlsplit, urlunsplit

from .. import i18n
from ..errors import BadInput
from .base import Activity, Batch, Identity, Source
from .xmlsafe import refuse_entities

i18n.register({
    "feed.no_date": {
        "en": "{n} items have no date: they take the feed's date ({date})",
        "fr": "{n} éléments n'ont pas de date : ils prennent celle du flux ({date})",
    },
    "feed.loose": {
        "en": "not strictly well-formed ({problem}); read with feedparser's lenient parser",
        "fr": "XML pas tout à fait bien formé ({problem}) ; lu avec l'analyseur tolérant de feedparser",
    },
    "feed.expected_feed": {"en": "an RSS 2.0, RSS 1.0 or Atom feed", "fr": "un flux RSS 2.0, RSS 1.0 ou Atom"},
    "feed.expected_xml": {"en": "well-formed XML (RSS or Atom)", "fr": "du XML bien formé (RSS ou Atom)"},
    "feed.expected_date": {"en": "a date (pubDate, dc:date, published or updated)",
                           "fr": "une date (pubDate, dc:date, published ou updated)"},
})

_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(rss|RDF|feed)[\s>/]")
_WP_EXPORT = re.compile(rb"xmlns:wp=[\"']https?://wordpress\.org/export/")
_COMMENT_FRAGMENT = re.compile(r"#comment-(\d+)$")
_COMMENT_PAGE = re.compile(r"/comment-page-\d+/?$")
# WordPress prefixes the body of a threaded reply with "In reply to <a href="…#comment-N">Name</a>."
# (translated in other languages: only the link's shape is relied on)
_WP_IN_REPLY = re.compile(
    r"^\s*(?:<p>)?\s*([^<]{0,60})<a\s+href=[\"']([^\"']*#comment-(\d+))[\"'][^>]*>([^<]*)</a>"
    r"\s*[.:]?\s*(?:<br\s*/?>|</p>)?",
    re.IGNORECASE)
_NOREPLY = re.compile(r"^(no-?reply|do-?not-?reply|nobody|noreply[\w.+-]*)@", re.IGNORECASE)

#: feedparser's "bozo" conditions that do not mean the XML is broken
_BENIGN = ("CharacterEncodingOverride", "NonXMLContentType")

# month names in the languages feeds are written in, by accent-free prefix
_MONTHS = {
    "jan": 1, "ene": 1, "gen": 1, "fev": 2, "feb": 2, "fév": 2, "mar": 3, "mrz": 3, "mrt": 3, "maa": 3,
    "abr": 4, "avr": 4, "apr": 4, "mai": 5, "may": 5, "mag": 5, "mei": 5, "jun": 6, "juin": 6, "giu": 6,
    "jul": 7, "juil": 7, "lug": 7, "ago": 8, "aug": 8, "aou": 8, "set": 9, "sep": 9, "out": 10, "oct": 10,
    "okt": 10, "ott": 10, "nov": 11, "dez": 12, "dic": 12, "dec": 12,
}
_EN_MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_LOCAL_DATE = re.compile(
    r"^\s*(?:[^\W\d_]+\.?,?\s+)?(\d{1,2})\.?\s+([^\W\d_]+)\.?\s+(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(.*?)\s*$")


def parse_local_date(value: str | None) -> datetime | None:
    """An RFC 822 date with day and month names in another language ("Seg, 24 Set 2018
    19:42:40 -0300"), as naive UTC; None when it does not look like one."""
    if not value:
        return None
    m = _LOCAL_DATE.match(value)
    if not m:
        return None
    day, month, year, hh, mm, ss, tz = m.groups()
    name = unicodedata.normalize("NFKD", month.lower()).encode("ascii", "ignore").decode()
    num = _MONTHS.get(name[:4]) or _MONTHS.get(name[:3])
    if not num:
        return None
    parsed = email.utils.parsedate_to_datetime(
        f"{int(day):02d} {_EN_MONTHS[num]} {year} {int(hh):02d}:{mm}:{ss or '00'} {tz or '+0000'}")
    return Source.utc(parsed)


def _struct_dt(st: Any) -> datetime | None:
    # feedparser gives UTC struct_time
    return _EPOCH + timedelta(seconds=calendar.timegm(st)) if st else None


_EPOCH = datetime(1970, 1, 1)


def _raw(d: Any, key: str) -> Any:
    """A feedparser field as it is (FeedParserDict maps updated to published with a warning)."""
    return dict.get(d, key)


def _http(url: Any) -> str | None:
    return url if isinstance(url, str) and url.startswith(("http://", "https://")) else None


def _defrag(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(fragment=""))


def _clean(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


class FeedSource(Source):
    """RSS 2.0, RSS 1.0 (RDF) and Atom, with WordPress and RFC 4685 comment feeds."""

    name = "feed"
    version = "1"
    label = "RSS 2.0, RSS 1.0 (RDF) or Atom feed, with comment feeds"
    kinds: ClassVar[tuple[str, ...]] = ("post", "comment", "reply")

    @classmethod
    def detect(cls, path: Path, head: bytes) -> int:
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            try:
                head = head.decode("utf-16").encode("utf-8", "replace")
            except UnicodeDecodeError:
                return 0
        m = _ROOT.search(head)
        if not m:
            return 10 if path.suffix.lower() in (".rss", ".atom", ".rdf") else 0
        root = m.group(1)
        if root == b"rss":
            return 30 if _WP_EXPORT.search(head) else 60
        if root == b"feed":
            return 60 if b"http://www.w3.org/2005/Atom" in head or b"purl.org/atom/ns" in head else 20
        return 60 if b"http://purl.org/rss/1.0/" in head else 20

    # -- reading ----------------------------------------------------------------------------
    def read(self) -> Iterator[Batch]:
        import feedparser

        refuse_entities(self.path, self.location)
        data = self.path.read_bytes()
        # bytes, never a path or URL: feedparser must not fetch anything itself. Its own HTML
        # sanitiser is slow and not needed: self.text() reduces every body to plain text (nh3)
        d = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
        self._check_bozo(d)
        if not d.get("version") and not d.entries and not d.feed.get("title"):
            found = _ROOT.search(data[:8192])
            raise BadInput(self.location, "the root element", i18n.t("feed.expected_feed"),
                           f"<{found.group(1).decode()}>" if found else repr(data[:40]))
        feed = d.feed
        self.site = self._site(feed)
        host = urlsplit(self.site).hostname if self.site else None
        self.namespace = f"{self.name}:{host or self.options.channel or self.path.stem}"
        self.channel = self.default_channel(f"blog:{host or self.path.stem}")
        self.feed_lang = _clean(feed.get("language"))
        self.feed_ts = _struct_dt(_raw(feed, "updated_parsed") or _raw(feed, "published_parsed")) or \
            parse_local_date(_raw(feed, "updated") or _raw(feed, "published"))
        self.identities: dict[str, Identity] = {}
        self._site_decl: Identity | None = None
        self.site_key = self._site_identity(feed)

        items = [self._item(n, e) for n, e in enumerate(d.entries, 1)]
        self._thread(items)
        undated = [it for it in items if it["ts"] is None]
        if undated:
            if self.feed_ts is None:
                for it in undated:
                    self.bad(it["where"], i18n.t("feed.expected_date"), "none")
            else:
                self.warn(i18n.t("feed.no_date", n=len(undated), date=self.feed_ts.isoformat(sep=" ")))
                for it in undated:
                    it["ts"] = self.feed_ts
        acts = [self._activity(it) for it in items if it["ts"] is not None]
        size = max(1, self.options.chunk_size)
        yield Batch(identities=list(self.identities.values()), activities=acts[:size], records=len(d.entries))
        for i in range(size, len(acts), size):
            yield Batch(activities=acts[i:i + size], records=0)

    def _check_bozo(self, d: Any) -> None:
        if not d.get("bozo"):
            return
        exc = d.get("bozo_exception")
        kind = type(exc).__name__
        if kind in _BENIGN:
            return
        line = exc.getLineNumber() if hasattr(exc, "getLineNumber") else None
        msg = exc.getMessage() if hasattr(exc, "getMessage") else str(exc)
        where = f"line {line}" if line else "the file"
        # a prefix used without its xmlns, or an HTML entity (&nbsp;) that XML does not define:
        # common in real feeds, and the lenient parser reads them in full
        if kind == "UndeclaredNamespace" or msg.startswith("undefined entity"):
            self.warn(i18n.t("feed.loose", problem=f"{where}: {msg}"))
            return
        self.bad(where, i18n.t("feed.expected_xml"), f"{msg} ({kind})")

    def _site(self, feed: Any) -> str | None:
        for cand in [feed.get("link")] + [ln.get("href") for ln in feed.get("links", [])
                                          if ln.get("rel") == "alternate"]:
            if _http(cand):
                return cand
        for cand in [feed.get("id")] + [ln.get("href") for ln in feed.get("links", []) if ln.get("rel") == "self"]:
            if _http(cand):
                return cand
        return None

    def _site_identity(self, feed: Any) -> str | None:
        """The key of whoever signs items that name no author: the feed's author, else the site."""
        found = self._author(feed.get("author_detail"))
        if found:
            self._site_decl = found[1]
            return found[0]
        if not self.site:
            return None
        p = urlsplit(self.site)
        home = f"{p.scheme}://{p.hostname}/"
        # declared when an item uses it
        self._site_decl = Identity(self.channel, home, display_name=_clean(feed.get("title")), url=home)
        return home

    def _person(self, detail: Any) -> str | None:
        """Declare an author (feedparser's author_detail) and return their identity key."""
        found = self._author(detail)
        if not found:
            return None
        self.identities.setdefault(found[0], found[1])
        return found[0]

    def _author(self, detail: Any) -> tuple[str, Identity] | None:
        if not detail:
            return None
        name = _clean(detail.get("name"))
        mail = _clean(detail.get("email"))
        if mail and (_NOREPLY.match(mail) or "@" not in mail):
            mail = None
        url = _http(detail.get("href"))
        home = urlsplit(self.site) if self.site else None
        if url and home and url.rstrip("/").lower() == f"{home.scheme}://{home.hostname}".lower():
            url = None  # the site's home page is not the author's profile
        key = mail or url or name
        if not key:
            return None
        return key, Identity(self.channel, key, display_name=name, url=url, email=mail)

    def _item(self, n: int, e: Any) -> dict[str, Any]:
        guid = _clean(e.get("id"))
        link = _http(e.get("link")) or next((_http(ln.get("href")) for ln in e.get("links", [])
                                             if ln.get("rel") == "alternate" and _http(ln.get("href"))), None)
        body, body_lang = self._body(e)
        title = _clean(e.get("title"))
        ts = _struct_dt(_raw(e, "published_parsed") or _raw(e, "updated_parsed") or _raw(e, "created_parsed"))
        if ts is None:
            ts = parse_local_date(_raw(e, "published") or _raw(e, "updated") or _raw(e, "created"))
        key = guid or link
        if not key:
            seen = (title, _raw(e, "published") or _raw(e, "updated"), body)
            key = "item:" + hashlib.sha256("\x1f".join(str(x or "") for x in seen).encode()).hexdigest()[:24]
        where = f"item {n}" + (f" (guid {guid})" if guid else f" (link {link})" if link else "")
        actor = self._person(e.get("author_detail"))
        if actor is None and len(e.get("authors") or []) > 1:
            actor = next((k for k in (self._person(a) for a in e["authors"]) if k), None)
        lang = _clean(e.get("language")) or body_lang or _clean((e.get("title_detail") or {}).get("language")) \
            or self.feed_lang
        native: dict[str, Any] = {}
        if guid:
            native["guid"] = guid
        count = e.get("slash_comments") or e.get("thr_total")
        if count is not None and str(count).strip().isdigit():
            native["comments"] = int(str(count).strip())
        if _http(e.get("wfw_commentrss")):
            native["comment_feed"] = e["wfw_commentrss"]
        if _http(e.get("comments")):
            native["comments_url"] = e["comments"]
        replies = [ln.get("href") for ln in e.get("links", []) if ln.get("rel") == "replies" and _http(ln.get("href"))]
        if replies:
            native["replies"] = replies
        it: dict[str, Any] = {
            "where": where, "key": key, "id": self.act_id(key), "guid": guid, "link": link, "title": title,
            "html": body, "ts": ts, "actor": actor, "lang": lang.lower() if lang else None, "native": native,
            "kind": "post", "thread": None, "parent": None, "target": None, "target_channel": None,
        }
        thr = e.get("thr_in-reply-to")
        frag = _COMMENT_FRAGMENT.search(guid or "") or _COMMENT_FRAGMENT.search(link or "")
        if isinstance(thr, dict) and (thr.get("ref") or thr.get("href")):
            ref = thr.get("ref") or thr.get("href")
            it.update(kind="comment", parent=self.act_id(ref), thread=self.act_id(ref))
            native["in_reply_to"] = ref
        elif frag:
            base = _defrag(guid if guid and _COMMENT_FRAGMENT.search(guid) else link)
            if not (guid and _COMMENT_FRAGMENT.search(guid)):
                base = _COMMENT_PAGE.sub("/", base)
            post = self.act_id(base)
            # the title is made up by WordPress ("Comment on X by Y" site-wide, "By: Y" per post):
            # dropped, so overlapping feeds give the same record
            it.update(kind="comment", parent=post, thread=post, title=None)
            native["post"] = base
            m = _WP_IN_REPLY.match(body or "")
            if m and m.group(3) != frag.group(1):
                it.update(kind="reply", parent=self.act_id(f"{base}#comment-{m.group(3)}"),
                          target=_clean(m.group(4)))
                it["html"] = body[m.end():]
        if it["actor"] is None and it["kind"] == "post" and self.site_key:
            it["actor"] = self.site_key
            if self._site_decl is not None:
                self.identities.setdefault(self.site_key, self._site_decl)
        return it

    def _body(self, e: Any) -> tuple[str | None, str | None]:
        for c in e.get("content") or []:
            if _clean(c.get("value")):
                return c["value"], _clean(c.get("language"))
        detail = e.get("summary_detail") or {}
        return _clean(e.get("summary")), _clean(detail.get("language"))

    # -- threading --------------------------------------------------------------------------
    def _thread(self, items: list[dict[str, Any]]) -> None:
        """Resolve replies' kinds, threads and targets from this feed, then the workspace."""
        here = {it["id"]: it for it in items}
        wanted = {it["parent"] for it in items if it["parent"] and it["parent"] not in here}
        known: dict[str, dict[str, Any]] = {}
        if wanted and self.con is not None:
            rows = self.con.execute(
                """SELECT a.id, a.kind, a.thread_id, i.key, i.channel FROM activities a
                   LEFT JOIN identities i ON i.id = a.identity_id WHERE list_contains(?, a.id)""",
                [sorted(wanted)]).fetchall()
            known = {r[0]: {"kind": r[1], "thread": r[2], "actor": r[3], "channel": r[4]} for r in rows}
        for it in items:
            if it["kind"] == "post":
                it["thread"] = it["id"]
                continue
            parent = here.get(it["parent"])
            if parent is not None:
                p = {"kind": parent["kind"], "thread": parent["thread"] if parent["kind"] != "post" else parent["id"],
                     "actor": parent["actor"], "channel": self.channel}
            else:
                p = known.get(it["parent"])
            if p is None:
                continue
            if it["kind"] == "comment" and p["kind"] in ("comment", "reply"):
                it["kind"] = "reply"
            if it["kind"] == "reply" and p["thread"]:
                it["thread"] = p["thread"]
            if p["actor"]:
                it["target"] = p["actor"]
                it["target_channel"] = p["channel"] if p["channel"] != self.channel else None
        # a reply whose parent is a reply of a reply in this feed: follow the chain to the thread
        for _ in range(8):
            changed = False
            for it in items:
                parent = here.get(it["parent"]) if it["kind"] == "reply" else None
                if parent is not None and parent["thread"] and parent["thread"] != it["thread"]:
                    it["thread"] = parent["thread"]
                    changed = True
            if not changed:
                break

    def _activity(self, it: dict[str, Any]) -> Activity:
        return Activity(
            id=it["id"], channel=self.channel, kind=it["kind"], ts=it["ts"], actor=it["actor"],
            thread_id=it["thread"], in_reply_to=it["parent"], target=it["target"],
            target_channel=it["target_channel"], url=it["link"], title=it["title"], text=self.text(it["html"]),
            lang=it["lang"], native=it["native"] or None)


__all__ = ["FeedSource", "parse_local_date"]
