"""Discourse forums, from the JSON its API serves (a folder of saved pages, or one page).

Discourse answers every page as JSON when ``.json`` is added to its URL: a topic
(``/t/<id>.json``: the topic and a ``post_stream`` of its first posts), more of its posts
(``/t/<id>/posts.json?post_ids[]=…``), one post (``/posts/<id>.json``) and topic lists
(``/latest.json``, ``/c/<category>.json``). Save them in a folder and import the folder.

What becomes what (channel ``discourse:<folder name>``; name the folder after the forum's
host to get URLs, or give ``--channel discourse:forum.example.org``):

- a topic's first post → ``post`` with the topic's title; every other post → ``reply``,
  ``in_reply_to`` the post it answers (``reply_to_post_number``) or else the first post, and
  ``target`` that post's author;
- likes: the API says how many (``actions_summary`` id 2) but not who, so the count stays
  in ``native.likes``; no ``like`` act is made;
- people are keyed by username; display name, user id, trust level and staff flags kept;
  ``system`` and ``discobot`` (negative user ids) are bots;
- topic lists hold no posts: they are recognised and reported, not imported;
- a topic page that holds fewer posts than the topic has (pagination) is imported and a
  warning names the topic and what is missing.

Ids are ``<topic id>/<post number>`` within the forum, so the same post saved in two files,
or again in a later capture, is one act.
"""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Iterator


from ..i18n import register, t
from .base import Activity, Batch, Identity, Source

register({
    "discourse.expected": {"en": "Discourse API JSON (a topic, its posts, a post or a topic list)",
                           "fr": "du JSON de l'API Discourse (un sujet, ses messages, un message ou une liste de sujets)"},
    "discourse.paginated": {
        "en": "topic {topic}: {have} of its {total} posts are in {file} (the others are on later pages: "
              "save /t/{topic}/posts.json?post_ids[]=… for them)",
        "fr": "sujet {topic} : {have} de ses {total} messages sont dans {file} (les autres sont sur des pages "
              "suivantes : enregistrez /t/{topic}/posts.json?post_ids[]=…)"},
    "discourse.topic_list": {
        "en": "{file}: a topic list ({n} topics) holds no posts; import the topic pages (/t/ID.json) for them",
        "fr": "{file} : une liste de sujets ({n} sujets) ne contient pas de messages ; importez les pages des "
              "sujets (/t/ID.json)"},
    "discourse.other_topic": {
        "en": "{file}: the page of topic {topic} holds posts of topic {other}; they are kept under their own topic",
        "fr": "{file} : la page du sujet {topic} contient des messages du sujet {other} ; ils restent dans leur sujet"},
    "discourse.post": {"en": "a post with username, created_at, topic_id and post_number",
                       "fr": "un message avec username, created_at, topic_id et post_number"},
})

_HOST = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$", re.IGNORECASE)
BOTS = {"system", "discobot"}


def _kind_of(doc: Any) -> str | None:
    if not isinstance(doc, dict):
        return None
    if isinstance(doc.get("topic_list"), dict):
        return "topic_list"
    if isinstance(doc.get("post_stream"), dict):
        return "topic"
    if "post_number" in doc and "topic_id" in doc:
        return "post"
    if isinstance(doc.get("latest_posts"), list):
        return "latest_posts"
    return None


class DiscourseSource(Source):
    name = "discourse"
    version = "1"
    label = "Discourse API JSON (topics and posts)"
    kinds: ClassVar[tuple[str, ...]] = ("post", "reply")
    takes_directory = True

    @classmethod
    def detect(cls, path: Path, head: bytes) -> int:
        if path.is_dir():
            if (path / "channels.json").exists() or (path / "users.json").exists():
                return 0
            files = sorted(path.glob("*.json"))[:5]
            if files and all(cls._looks(open(f, "rb").read(65536)) for f in files):
                return 60
            return 0
        if path.suffix.lower() == ".json" and cls._looks(head):
            return 70
        return 0

    @staticmethod
    def _looks(head: bytes) -> bool:
        return head.lstrip().startswith(b"{") and (
            b'"post_stream"' in head or b'"topic_list"' in head or (b'"post_number"' in head and b'"cooked"' in head))

    def read(self) -> Iterator[Batch]:
        folder = self.path if self.path.is_dir() else self.path.parent
        self.channel = self.default_channel(f"discourse:{folder.name}")
        site = self.channel.split(":", 1)[-1]
        self.namespace = f"{self.name}:{site}"
        self.host = site if _HOST.match(site) else None
        files = sorted(p for p in folder.glob("*.json")) if self.path.is_dir() else [self.path]
        self.people: dict[str, Identity] = {}
        self.authors: dict[tuple[Any, int], str] = {}  # (topic, post number) -> username, across files
        self.pending: list[tuple[Activity, Any, int]] = []  # replies whose parent is in a later file
        seen: dict[Any, set[int]] = {}
        expected: dict[Any, tuple[int, str]] = {}
        acts: list[Activity] = []
        lists: list[tuple[str, list[int]]] = []
        read = 0
        for f in files:
            doc = self._load(f)
            kind = _kind_of(doc)
            if kind is None:
                if doc is not None:
                    self.bad("the file", t("discourse.expected"), f"a JSON {type(doc).__name__} without posts", file=f)
                continue
            if kind == "topic_list":
                topics = [tp.get("id") for tp in doc["topic_list"].get("topics") or [] if isinstance(tp, dict)]
                lists.append((f.name, topics))
                continue
            if kind == "topic":
                posts = doc["post_stream"].get("posts") or []
                topic: dict[str, Any] = doc
            elif kind == "post":
                posts, topic = [doc], {}
            else:
                posts, topic = doc["latest_posts"], {}
            read += len(posts)
            got = self._posts(posts, topic, f)
            acts.extend(got)
            for a in got:
                seen.setdefault(a.native["topic_id"], set()).add(a.native["post_number"])  # type: ignore[index]
            other = sorted({str(p.get("topic_id")) for p in posts if isinstance(p, dict)
                            and p.get("topic_id") not in (None, topic.get("id"))})
            if topic.get("id") is not None and other:
                self.warn(t("discourse.other_topic", file=f.name, topic=topic["id"], other=", ".join(other)))
            elif topic.get("id") is not None:
                stream = doc["post_stream"].get("stream") or []
                total = max(int(topic.get("posts_count") or 0), len(stream))
                if total and topic["id"] not in expected:
                    expected[topic["id"]] = (total, f.name)
            if len(acts) >= self.options.chunk_size:
                yield Batch(activities=acts, records=read)
                acts, read = [], 0
        for act, tid, parent in self.pending:
            act.target = self.authors.get((tid, parent))
            seen.setdefault(tid, set()).add(act.native["post_number"])  # type: ignore[index]
        acts.extend(a for a, _, _ in self.pending)
        for tid, (total, name) in expected.items():
            have = len(seen.get(tid, ()))
            if have < total:
                self.warn(t("discourse.paginated", topic=tid, have=have, total=total, file=name))
        for name, topics in lists:
            self.warn(t("discourse.topic_list", file=name, n=len(topics)))
        yield Batch(activities=acts, identities=list(self.people.values()), records=read)

    def _load(self, f: Path) -> Any:
        return self.load_json(f.read_bytes(), t("discourse.expected"), file=f)

    def _person(self, p: dict[str, Any]) -> str:
        user = p["username"]
        if user.lower() not in self.people:
            uid = p.get("user_id")
            native = {k: p.get(k) for k in ("user_id", "trust_level", "moderator", "admin", "staff")
                      if p.get(k) is not None}
            self.people[user.lower()] = Identity(
                channel=self.channel, key=user, display_name=p.get("name") or p.get("display_username") or None,
                url=f"https://{self.host}/u/{user}" if self.host else None,
                is_bot=user.lower() in BOTS or (isinstance(uid, int) and uid < 0), native=native or None)
        return user

    def _posts(self, posts: list[Any], topic: dict[str, Any], f: Path) -> list[Activity]:
        authors = {p.get("post_number"): p.get("username") for p in posts if isinstance(p, dict)}
        op = ((topic.get("details") or {}).get("created_by") or {}).get("username") or authors.get(1)
        out = []
        for i, p in enumerate(posts, 1):
            if not isinstance(p, dict) or not all(p.get(k) is not None for k in
                                                  ("username", "created_at", "post_number")) or \
                    p.get("topic_id", topic.get("id")) is None:
                pid = p.get("id") if isinstance(p, dict) else None
                self.bad(f"post {i}" + (f" (id {pid})" if pid else ""), t("discourse.post"), repr(p)[:80], file=f)
                continue
            try:
                ts = self.utc(datetime.fromisoformat(str(p["created_at"]).replace("Z", "+00:00")))
            except ValueError:
                self.bad(f"post {i} (id {p.get('id')})", "an ISO 8601 created_at", repr(p["created_at"]), file=f)
                continue
            tid = p.get("topic_id", topic.get("id"))
            num = int(p["post_number"])
            actor = self._person(p)
            self.authors[(tid, num)] = actor
            first = self.act_id(f"{tid}/1")
            native: dict[str, Any] = {"topic_id": tid, "post_number": num, "post_id": p.get("id")}
            likes = sum(int(a.get("count") or 0) for a in p.get("actions_summary") or []
                        if isinstance(a, dict) and a.get("id") == 2)
            if likes:
                native["likes"] = likes
            for k in ("reply_count", "reads", "score", "quote_count"):
                if p.get(k):
                    native[k] = p[k]
            if num == 1:
                kind, in_reply_to, target = "post", None, None
            else:
                kind = "reply"
                parent = p.get("reply_to_post_number")
                in_reply_to = self.act_id(f"{tid}/{parent}") if parent else first
                target = ((p.get("reply_to_user") or {}).get("username") or authors.get(parent)) if parent else op
                if parent:
                    native["reply_to_post_number"] = parent
            slug = p.get("topic_slug") or topic.get("slug") or "-"
            url = f"https://{self.host}/t/{slug}/{tid}/{num}" if self.host else None
            title = (topic.get("title") or p.get("topic_title")) if num == 1 else None
            act = Activity(id=self.act_id(f"{tid}/{num}"), channel=self.channel, kind=kind, ts=ts, actor=actor,
                           thread_id=first, in_reply_to=in_reply_to, target=target, url=url, title=title,
                           text=self.text(p.get("cooked") or p.get("raw")), native=native)
            if kind == "reply" and target is None:
                target = self.authors.get((tid, parent or 1))
                if target is None:
                    self.pending.append((act, tid, parent or 1))
                    continue
                act.target = target
            out.append(act)
        return out


__all__ = ["DiscourseSource"]
