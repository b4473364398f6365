"""WordPress export (WXR 1.0–1.2): published posts and pages, threaded comments, pingbacks.

The export is streamed with :func:`lien.sources.xmlsafe.iterparse` (no entity expansion) and
each ``<item>`` is dropped from memory once read, so exports of any size go through.

What becomes what:

- published ``post`` and ``page`` items → ``post`` by the ``wp:author`` whose login is the
  item's ``dc:creator`` (keyed by the author's e-mail when the export has one, else the login);
  drafts, private, scheduled (``future``), pending, trashed items, attachments, menu items and
  other post types are not acts (counted in one warning). A *published* item dated in the
  future (a date edited by hand: WordPress itself keeps scheduled posts as ``future``) is
  visible on the site, so it is kept with its date and named in a warning.
- approved comments → ``comment`` (top level: in reply to the post, addressing its author) or
  ``reply`` (``comment_parent`` ≠ 0: in reply to the parent comment, addressing its author);
  ``thread_id`` is the post. A reply whose parent is not imported (unapproved, spam) becomes a
  ``comment`` on the post, its parent kept in ``native``.
- approved pingbacks, trackbacks and webmentions → ``mention`` (``native.comment_type`` keeps
  which), never comments; the mentioning *site* (scheme and host of the linking page) is the
  identity, the linking page is the act's ``url``.
- unapproved, spam and trashed comments are not engagement: not imported, counted in a warning.

Commenters are keyed by e-mail, else their URL, else their name. Comments written by the
blog's own authors (``comment_user_id`` = a ``wp:author_id``, or an author's e-mail) use the
author's identity. Mojibake (UTF-8 read as Latin-1/cp1252, ``Ã©``, ``â€™``) is repaired with
ftfy's ``fix_encoding`` in titles, bodies and names; WordPress shortcodes are dropped (their
inner text kept) before HTML is reduced to text. Commenters' IP addresses are never stored.
"""
from __future__ import annotations

import html
import re
from collections import Counter
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

from ..i18n import register, t
from .base import Activity, Batch, Identity, Source
from .xmlsafe import iterparse

register({
    "wxr.not_wxr": {"en": "a WordPress export (<rss> with the wp: export namespace)",
                    "fr": "un export WordPress (<rss> avec l'espace de noms wp: d'export)"},
    "wxr.skipped_comments": {
        "en": "{n} comments not imported (not engagement): {detail}",
        "fr": "{n} commentaires non importés (pas de l'engagement) : {detail}"},
    "wxr.orphan_comments": {
        "en": "{n} approved comments on items that are not imported (drafts, attachments …) left out: {detail}",
        "fr": "{n} commentaires approuvés sur des éléments non importés (brouillons, pièces jointes …) "
              "laissés de côté : {detail}"},
    "wxr.orphan_replies": {
        "en": "{n} approved replies to a comment that is not imported kept as comments on the post",
        "fr": "{n} réponses approuvées à un commentaire non importé gardées comme commentaires de l'article"},
    "wxr.skipped_items": {"en": "{n} items are not published posts or pages, not imported: {detail}",
                          "fr": "{n} éléments ne sont pas des articles ou pages publiés, non importés : {detail}"},
    "wxr.future_posts": {
        "en": "{n} published items are dated in the future, kept with their date: {detail}",
        "fr": "{n} éléments publiés sont datés dans le futur, gardés à leur date : {detail}"},
    "wxr.a_date": {"en": "a date (YYYY-MM-DD HH:MM:SS)", "fr": "une date (AAAA-MM-JJ HH:MM:SS)"},
    "wxr.an_id": {"en": "a numeric id", "fr": "un identifiant numérique"},
})

_WP_NS = re.compile(r"^https?://wordpress\.org/export/1\.\d+/$")
_EXCERPT_NS = re.compile(r"^https?://wordpress\.org/export/1\.\d+/excerpt/$")
_KNOWN_NS = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://wellformedweb.org/CommentAPI/": "wfw",
}
_DETECT = re.compile(rb"""xmlns:wp\s*=\s*["']https?://wordpress\.org/export/1\.\d+/["']""")

#: shortcodes of WordPress core and the commonest plugins, dropped even without attributes
_SHORTCODES = frozenset({"caption", "wp_caption", "gallery", "audio", "video", "playlist", "embed", "code",
                         "sourcecode", "source", "youtube", "vimeo", "soundcloud", "googlemaps", "tweet",
                         "contact-form", "contact-form-7", "column", "one_half", "one_third"})
_SHORTCODE = re.compile(r"""\[(/?)([A-Za-z_][\w-]*)((?:\s+(?:[\w-]+\s*=\s*)?(?:"[^"]*"|'[^']*'|[^\s\]"']+))*)\s*/?\]""")
#: a UTF-8 lead byte read as Latin-1/cp1252, followed by a continuation byte read the same way
_MOJIBAKE = re.compile("[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6"
                       "\u02dc\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a"
                       "\u20ac\u2122]")
_APPROVED = {"1", "approve", "approved"}
_COMMENT_TYPES = {"", "comment", "review"}
_MENTION_TYPES = {"pingback", "trackback", "webmention"}
_ZERO_DATE = "0000-00-00"


def repair(value: str | None) -> str | None:
    """Undo mojibake (UTF-8 bytes decoded as Latin-1 or cp1252) when there is some."""
    if not value or value.isascii() or not _MOJIBAKE.search(value):
        return value
    import ftfy

    return ftfy.fix_encoding(value)


def strip_shortcodes(value: str) -> str:
    """Drop ``[name attr="…"]`` / ``[/name]`` shortcode tags, keeping what they wrap. Bracketed
    words that are not shortcodes (``[sic]``) stay."""
    if "[" not in value:
        return value
    named = set(_SHORTCODES)
    named.update(m.group(2).lower() for m in _SHORTCODE.finditer(value) if "=" in m.group(3))
    # shortcodes are block-level in WordPress (captions, galleries, players): a line break
    return _SHORTCODE.sub(lambda m: "\n" if m.group(2).lower() in named else m.group(0), value)


def _site(url: str | None) -> tuple[str | None, str | None]:
    """(scheme://host, host) of a URL, or (None, None)."""
    if not url:
        return None, None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None, None
    host = (parts.hostname or "").lower()
    if not host:
        return None, None
    return f"{parts.scheme or 'http'}://{host}", host


class WxrSource(Source):
    """WordPress eXtended RSS export."""

    name = "wxr"
    label = "WordPress export (WXR)"
    version = "1"
    kinds = ("post", "comment", "reply", "mention")

    @classmethod
    def detect(cls, path: Path, head: bytes) -> int:
        if b"<rss" in head and _DETECT.search(head):
            return 90
        if b"wordpress.org/export/1." in head:
            return 40
        return 0

    # -- parsing --------------------------------------------------------------------------------
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tags: dict[str, str] = {}
        self.wxr = False
        self.site: dict[str, str] = {}
        self.authors: dict[str, dict[str, str]] = {}  # login -> author fields
        self.author_ids: dict[str, str] = {}  # wp:author_id -> login
        self.author_emails: dict[str, str] = {}  # lower-cased e-mail -> login
        self.channel = ""
        self.host = ""
        self.now = datetime.now(timezone.utc).replace(tzinfo=None)
        self.skipped_items: Counter[str] = Counter()
        self.skipped_comments: Counter[str] = Counter()
        self.orphans: Counter[str] = Counter()
        self.orphan_replies = 0
        self.future: list[str] = []
        self._pending_authors: list[Identity] = []  # declared with the first batch

    def _tag(self, tag: str) -> str:
        """``{namespace}local`` → ``wp:local`` / ``content:local`` … (any WXR version, http or https)."""
        name = self._tags.get(tag)
        if name is None:
            if tag.startswith("{"):
                ns, local = tag[1:].split("}", 1)
                if _WP_NS.match(ns):
                    self.wxr = True
                    prefix = "wp"
                elif _EXCERPT_NS.match(ns):
                    prefix = "excerpt"
                else:
                    prefix = _KNOWN_NS.get(ns, ns)
                name = f"{prefix}:{local}"
            else:
                name = tag
            self._tags[tag] = name
        return name

    def read(self) -> Iterator[Batch]:
        batch = Batch()
        records = 0
        depth = 0
        channel_el = None
        n_item = 0
        root_tag = None
        for ev, el in iterparse(self.path, events=("start", "end"), location=self.location):
            if ev == "start":
                depth += 1
                if depth == 1:
                    root_tag = el.tag
                elif depth == 2 and self._tag(el.tag) == "channel":
                    channel_el = el
                continue
            depth -= 1
            if depth != 2 or channel_el is None:
                continue
            name = self._tag(el.tag)
            if name == "item":
                n_item += 1
                if not self.channel:
                    if root_tag != "rss" or not self.wxr:
                        break
                    self._start_site()
                records += 1 + self._item(el, n_item, batch)
                if len(batch.activities) >= self.options.chunk_size:
                    batch.records = records
                    yield batch
                    batch, records = Batch(), 0
            else:
                self._channel_field(name, el, batch)
            channel_el.clear()  # what is read is dropped: memory stays flat
        if root_tag != "rss" or not self.wxr:
            self.bad("the file", t("wxr.not_wxr"), f"<{root_tag}>" if root_tag else "no XML element")
            return
        if not self.channel:
            self._start_site()
        batch.records = records
        yield batch
        self._summarise()

    def _channel_field(self, name: str, el: Any, batch: Batch) -> None:
        if name == "wp:author":
            a = {self._tag(c.tag).removeprefix("wp:"): (c.text or "").strip() for c in el}
            login = a.get("author_login", "")
            if not login:
                return
            self.authors[login] = a
            if a.get("author_id"):
                self.author_ids[a["author_id"]] = login
            if a.get("author_email"):
                self.author_emails[a["author_email"].lower()] = login
            if self.channel:  # authors after the first item (not seen in real exports)
                batch.identities.append(self._author_identity(login))
        elif name in ("wp:base_site_url", "wp:base_blog_url", "link", "pubDate", "title"):
            self.site[name] = (el.text or "").strip()

    def _start_site(self) -> None:
        """Once the channel header is read: the blog's host, channel, namespace and authors."""
        for field in ("wp:base_blog_url", "link", "wp:base_site_url"):
            base, host = _site(self.site.get(field))
            if host:
                self.host = host
                break
        else:
            self.host = self.path.stem
        self.channel = self.default_channel(f"blog:{self.host}")
        self.namespace = f"{self.name}:{self.host}"
        self._pending_authors = [self._author_identity(login) for login in self.authors]

    def _author_key(self, login: str) -> str:
        a = self.authors.get(login)
        return (a.get("author_email") or login) if a else login

    def _author_identity(self, login: str) -> Identity:
        a = self.authors[login]
        return Identity(self.channel, self._author_key(login),
                        display_name=repair(html.unescape(a.get("author_display_name") or "")) or login,
                        email=a.get("author_email") or None,
                        native={"wp_login": login, "wp_author_id": a.get("author_id") or None})

    # -- one item and its comments ---------------------------------------------------------------
    def _item(self, el: Any, n: int, batch: Batch) -> int:
        """Read one <item>; returns how many comments it held."""
        if self._pending_authors:
            batch.identities.extend(self._pending_authors)
            self._pending_authors = []
        f: dict[str, str] = {}
        cats: list[str] = []
        tags: list[str] = []
        comments: list[dict[str, str]] = []
        for c in el:
            name = self._tag(c.tag)
            if name == "wp:comment":
                comments.append({self._tag(x.tag).removeprefix("wp:"): (x.text or "") for x in c})
            elif name == "category":
                (tags if c.get("domain") == "post_tag" else cats).append((c.text or "").strip())
            elif name != "wp:postmeta":
                f[name] = c.text or ""
        ptype = f.get("wp:post_type", "").strip()
        status = f.get("wp:status", "").strip()
        pid = f.get("wp:post_id", "").strip()
        where = f"item {n} (post_id {pid or '?'})"
        if ptype not in ("post", "page") or status != "publish":
            self.skipped_items[f"{ptype or '?'}/{status or '?'}"] += 1
            for c in comments:
                if c.get("comment_approved", "").strip() in _APPROVED:
                    self.orphans[f"{ptype or '?'}/{status or '?'}"] += 1
                else:
                    self.skipped_comments[c.get("comment_approved", "").strip() or "?"] += 1
            return len(comments)
        if not pid.isdigit():
            self.bad(where, t("wxr.an_id"), repr(pid))
            return len(comments)
        ts = self._date(f, "wp:post_date_gmt", "pubDate", "wp:post_date")
        if ts is None:
            self.bad(where, t("wxr.a_date"), repr(f.get("wp:post_date_gmt") or f.get("wp:post_date")))
            return len(comments)
        if ts > self.now:
            self.future.append(f"post_id {pid} ({ts:%Y-%m-%d})")
        login = f.get("dc:creator", "").strip()
        if login not in self.authors and login.strip("<>\"' ") in self.authors:
            login = login.strip("<>\"' ")  # stray markup around a known login (theme test data)
        author = self._author_key(login) if login else None
        if login and login not in self.authors:
            batch.identities.append(Identity(self.channel, login, display_name=login, native={"wp_login": login}))
        post_id = self.act_id(f"post:{pid}")
        link = f.get("link", "").strip() or None
        body = f.get("content:encoded") or f.get("description") or ""
        native = {"post_id": int(pid), "post_type": ptype, "status": status, "categories": cats, "tags": tags}
        if f.get("guid", "").strip():
            native["guid"] = f["guid"].strip()
        if f.get("wp:is_sticky", "").strip() == "1":
            native["sticky"] = True
        batch.activities.append(Activity(
            id=post_id, channel=self.channel, kind="post", ts=ts, actor=author, url=link,
            title=repair(html.unescape(f.get("title", "").strip())) or None,
            text=self.text(strip_shortcodes(repair(body) or "")), thread_id=post_id, native=native))
        self._comments(comments, where, pid, post_id, author, link, batch)
        return len(comments)

    def _comments(self, comments: list[dict[str, str]], where: str, pid: str, post_id: str, post_author: str | None,
                  link: str | None, batch: Batch) -> None:
        keep: dict[str, tuple[dict[str, str], str | None, datetime]] = {}  # comment id -> (fields, actor, ts)
        for c in comments:
            cid = c.get("comment_id", "").strip()
            approved = c.get("comment_approved", "").strip()
            if approved not in _APPROVED:
                self.skipped_comments[approved or "?"] += 1
                continue
            ctype = c.get("comment_type", "").strip().lower()
            if ctype not in _COMMENT_TYPES and ctype not in _MENTION_TYPES:
                self.skipped_comments[f"type {ctype}"] += 1
                continue
            if not cid.isdigit():
                self.bad(f"{where}, comment {cid or '?'}", t("wxr.an_id"), repr(cid))
                continue
            ts = self._date(c, "comment_date_gmt", "comment_date")
            if ts is None:
                self.bad(f"{where}, comment {cid}", t("wxr.a_date"), repr(c.get("comment_date_gmt")))
                continue
            actor = self._commenter(c, ctype in _MENTION_TYPES, batch)
            keep[cid] = (c, actor, ts)
        for cid, (c, actor, ts) in keep.items():
            ctype = c.get("comment_type", "").strip().lower()
            parent = c.get("comment_parent", "").strip()
            native: dict[str, Any] = {"comment_id": int(cid), "post_id": int(pid), "comment_type": ctype or "comment"}
            if c.get("comment_user_id", "").strip() not in ("", "0"):
                native["user_id"] = int(c["comment_user_id"]) if c["comment_user_id"].strip().isdigit() else None
            in_reply_to, target, kind = post_id, post_author, "comment"
            if ctype in _MENTION_TYPES:
                kind = "mention"
            elif parent not in ("", "0"):
                native["parent_id"] = int(parent) if parent.isdigit() else parent
                if parent in keep:
                    kind, in_reply_to, target = "reply", self.act_id(f"comment:{parent}"), keep[parent][1]
                else:
                    self.orphan_replies += 1
            name = repair(html.unescape(c.get("comment_author", "").strip())) or None
            url = (c.get("comment_author_url", "").strip() or None) if kind == "mention" else (
                f"{link}#comment-{cid}" if link else None)
            batch.activities.append(Activity(
                id=self.act_id(f"comment:{cid}"), channel=self.channel, kind=kind, ts=ts, actor=actor,
                thread_id=post_id, in_reply_to=in_reply_to, target=target, url=url,
                title=name if kind == "mention" else None,
                text=self.text(strip_shortcodes(repair(c.get("comment_content")) or "")), native=native))

    def _commenter(self, c: dict[str, str], mention: bool, batch: Batch) -> str | None:
        """The identity key of a comment's author (declaring the identity on the way)."""
        email = c.get("comment_author_email", "").strip()
        url = c.get("comment_author_url", "").strip()
        name = repair(html.unescape(c.get("comment_author", "").strip())) or ""
        login = self.author_ids.get(c.get("comment_user_id", "").strip()) or self.author_emails.get(email.lower())
        if login and not mention:
            return self._author_key(login)
        if mention:
            base, host = _site(url)
            if base:
                batch.identities.append(Identity(self.channel, base, display_name=host, url=base,
                                                 is_org=host == self.host))
                return base
        key = email or url or name
        if not key:
            return None
        batch.identities.append(Identity(self.channel, key, display_name=name or None, url=url or None,
                                         email=email or None))
        return key

    def _date(self, f: dict[str, str], *fields: str) -> datetime | None:
        for field in fields:
            v = f.get(field, "").strip()
            if not v or v.startswith(_ZERO_DATE):
                continue
            try:
                if field == "pubDate":
                    return self.utc(parsedate_to_datetime(v))
                return datetime.fromisoformat(v)  # the *_gmt fields are UTC; the others are site time
            except (TypeError, ValueError):
                return None
        return None

    def _summarise(self) -> None:
        def detail(c: Counter[str]) -> str:
            return ", ".join(f"{k}: {v}" for k, v in sorted(c.items()))

        if self.skipped_comments:
            shown = Counter({("approved=" + k if not k.startswith("type ") else k): v
                             for k, v in self.skipped_comments.items()})
            self.warn(t("wxr.skipped_comments", n=sum(self.skipped_comments.values()), detail=detail(shown)))
        if self.orphans:
            self.warn(t("wxr.orphan_comments", n=sum(self.orphans.values()), detail=detail(self.orphans)))
        if self.orphan_replies:
            self.warn(t("wxr.orphan_replies", n=self.orphan_replies))
        if self.skipped_items:
            self.warn(t("wxr.skipped_items", n=sum(self.skipped_items.values()), detail=detail(self.skipped_items)))
        if self.future:
            self.warn(t("wxr.future_posts", n=len(self.future),
                        detail=", ".join(self.future[:10]) + (" …" if len(self.future) > 10 else "")))


__all__ = ["WxrSource", "repair", "strip_shortcodes"]
