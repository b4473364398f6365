"""Slack workspace export: the zip an admin downloads (or the folder it unpacks to) with
``users.json``, ``channels.json`` and one folder per channel of daily JSON files
(``general/2024-03-01.json``: a list of messages).

What becomes what (the channel is ``slack:<workspace>``, the Slack channel's name is in
each act's ``native.slack_channel``):

- a message → ``post``; a thread reply (``thread_ts`` ≠ ``ts``) → ``reply`` with
  ``in_reply_to`` its parent and ``target`` the parent's author; a post's first user
  mention ``<@U…>`` is its ``target`` (every mention is in ``native.mentions``);
- each user of a reaction → ``like`` of the message (dated like the message: the export does
  not say when people reacted); a reaction whose user list Slack cut short keeps the
  uncounted rest in the message's ``native.unattributed_reactions``;
- ``channel_join`` → ``follow``; a comment on a file → ``comment``;
- channel housekeeping (leave, topic, purpose, rename, pins, archive) and deleted-message
  placeholders (``tombstone``) are not acts;
- bots: a message with a ``bot_id``, the ``bot_message`` and ``slackbot_response`` subtypes
  and users marked ``is_bot`` make bot identities. A ``bot_message`` without a user (an
  integration relaying another chat) is keyed by the name it shows (``username``).

People are keyed by their Slack user id (``U…``, stable across exports and what mentions
use); ``users.json`` gives their names and, when the export has them, e-mails. Text is Slack
markup turned into plain text (mentions as ``@name``, links as their label).

Real exports are not always clean: a ``channels.json`` that is not valid JSON or a missing
``users.json`` is a warning and the messages are read anyway; a day file that is not a JSON
list of messages is bad input named by file and line.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar, Iterator

import orjson

from ..i18n import register, t
from .archive import Archive, is_zip
from .base import Activity, Batch, Identity, Source

register({
    "slack.no_users": {"en": "users.json is absent: people are known by their Slack ids (U…) only",
                       "fr": "users.json est absent : les personnes ne sont connues que par leur identifiant Slack (U…)"},
    "slack.bad_json_fixed": {
        "en": "{file} is not valid JSON ({error}); read after removing trailing commas",
        "fr": "{file} n'est pas du JSON valide ({error}) ; lu après suppression des virgules finales"},
    "slack.bad_json_ignored": {"en": "{file} is not valid JSON ({error}): ignored",
                               "fr": "{file} n'est pas du JSON valide ({error}) : ignoré"},
    "slack.channels_mismatch": {
        "en": "channels.json lists {listed} channels but the export holds {folders} channel folders: every folder is read",
        "fr": "channels.json liste {listed} canaux mais l'export contient {folders} dossiers de canaux : "
              "tous les dossiers sont lus"},
    "slack.no_days": {"en": "a Slack export (channel folders of YYYY-MM-DD.json files)",
                      "fr": "un export Slack (dossiers de canaux contenant des fichiers AAAA-MM-JJ.json)"},
})

DAY = re.compile(r"(?:^|/)([^/]+)/(\d{4}-\d{2}-\d{2})\.json$")
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")
#: subtypes that are channel housekeeping or placeholders, not acts of a person
NOT_ACTS = frozenset({
    "channel_leave", "group_leave", "channel_topic", "group_topic", "channel_purpose", "group_purpose",
    "channel_name", "group_name", "channel_archive", "group_archive", "channel_unarchive", "group_unarchive",
    "pinned_item", "unpinned_item", "tombstone", "bot_add", "bot_remove", "bot_enable", "bot_disable",
    "reminder_add", "sh_room_created", "sh_room_shared",
})
JOINS = frozenset({"channel_join", "group_join"})
BOT_SUBTYPES = frozenset({"bot_message", "slackbot_response"})


def slack_ts(ts: str) -> datetime:
    """A Slack ``ts`` ("1486253733.000002") as naive UTC, keeping its six decimals."""
    secs, _, frac = ts.partition(".")
    return datetime(1970, 1, 1) + timedelta(seconds=int(secs), microseconds=int((frac or "0")[:6].ljust(6, "0")))


def _loads_lenient(raw: bytes) -> tuple[Any, str | None, bool]:
    """(value, error, repaired): strict JSON, else JSON with trailing commas removed."""
    try:
        return orjson.loads(raw), None, False
    except orjson.JSONDecodeError:
        pass
    text = raw.decode("utf-8", errors="replace")
    try:
        json.loads(text)
    except json.JSONDecodeError as e:
        err = f"line {e.lineno}: {e.msg}"
    try:
        return json.loads(re.sub(r",(\s*[\]}])", r"\1", text)), err, True
    except json.JSONDecodeError:
        return None, err, False


class SlackSource(Source):
    name = "slack"
    version = "1"
    label = "Slack workspace export (folder or zip)"
    kinds: ClassVar[tuple[str, ...]] = ("post", "reply", "comment", "like", "follow")
    takes_directory = True

    @classmethod
    def detect(cls, path: Path, head: bytes) -> int:
        if path.is_dir():
            if not ((path / "channels.json").is_file() or (path / "users.json").is_file()):
                return 0
            return 90 if any(DAY.search(p.relative_to(path).as_posix()) for p in path.glob("*/*.json")) else 0
        if path.suffix.lower() == ".zip" and is_zip(path):
            import zipfile

            with zipfile.ZipFile(path) as z:
                names = z.namelist()
            meta = any(PurePosixPath(n).name in ("channels.json", "users.json") for n in names)
            return 90 if meta and any(DAY.search(n) for n in names) else 0
        return 0

    # -- the export's metadata ---------------------------------------------------------------
    def _meta(self, arc: Archive, name: str) -> Any:
        member = arc.find(name)
        if member is None:
            return None
        value, err, repaired = _loads_lenient(arc.read_bytes(member))
        if err:
            self.warn(t("slack.bad_json_fixed" if repaired else "slack.bad_json_ignored", file=member, error=err))
        return value

    def _users(self, arc: Archive) -> dict[str, Identity]:
        users = self._meta(arc, "users.json")
        if users is None:
            if arc.find("users.json") is None:
                self.warn(t("slack.no_users"))
            return {}
        out = {}
        for u in users if isinstance(users, list) else []:
            if not isinstance(u, dict) or not u.get("id"):
                continue
            prof = u.get("profile") or {}
            name = (prof.get("real_name") or u.get("real_name") or prof.get("display_name") or u.get("name"))
            out[u["id"]] = Identity(
                channel=self.channel, key=u["id"], display_name=name or None, email=prof.get("email") or None,
                is_bot=bool(u.get("is_bot")) or u["id"] == "USLACKBOT",
                native={k: v for k, v in {"name": u.get("name"), "title": prof.get("title") or None,
                                          "tz": u.get("tz"), "deleted": u.get("deleted") or None,
                                          "is_admin": u.get("is_admin") or None}.items() if v is not None})
        return out

    # -- reading ----------------------------------------------------------------------------
    def read(self) -> Iterator[Batch]:
        with Archive(self.path, self.location) as arc:
            workspace = self.path.stem if arc.is_zip else self.path.name
            self.channel = self.default_channel(f"slack:{workspace}")
            self.namespace = f"{self.name}:{self.channel.split(':', 1)[-1]}"
            users = self._users(arc)
            self.names = {k: (v.display_name or k) for k, v in users.items()}
            days: dict[str, list[str]] = {}
            for member in arc.names():
                m = DAY.search(member)
                if m:
                    days.setdefault(m.group(1), []).append(member)
            if not days:
                self.bad("the export", t("slack.no_days"), "no channel folder of day files", file=self.location)
                return
            channels = self._meta(arc, "channels.json")
            if isinstance(channels, list) and len(channels) != len(days):
                self.warn(t("slack.channels_mismatch", listed=len(channels), folders=len(days)))
            self.hints: dict[str, dict[str, Any]] = {}  # user id -> name shown in messages
            self.bots: dict[str, Identity] = {}
            chunk = self.options.chunk_size
            buf: list[Activity] = []
            records = 0
            for cname in sorted(days):
                parents: dict[str, str | None] = {}
                pending: list[Activity] = []
                for member in sorted(days[cname]):
                    msgs = self._day(arc, member)
                    for i, msg in enumerate(msgs, 1):
                        records += 1
                        buf.extend(self._acts(msg, cname, arc.where(member), i, parents, pending))
                    if len(buf) >= chunk:
                        yield Batch(activities=buf, records=records)
                        buf, records = [], 0
                for a in pending:  # replies read before their parent
                    a.target = parents.get(a.native["thread_ts"]) if a.native else None
                buf.extend(pending)
            idents = list(self.bots.values())
            for uid, hint in self.hints.items():
                if uid in users:
                    users[uid].is_bot = users[uid].is_bot or hint.get("bot", False)
                else:
                    idents.append(Identity(channel=self.channel, key=uid, display_name=hint.get("name"),
                                           is_bot=hint.get("bot", False)))
            idents.extend(users.values())
            yield Batch(activities=buf, identities=idents, records=records)

    def _day(self, arc: Archive, member: str) -> list[Any]:
        msgs = self.load_json(arc.read_bytes(member), "a JSON list of Slack messages", file=arc.where(member))
        if msgs is None:
            return []
        if not isinstance(msgs, list):
            self.bad("the file", "a JSON list of Slack messages", type(msgs).__name__, file=arc.where(member))
            return []
        return msgs

    def _plain(self, text: str | None) -> str | None:
        if not text:
            return None

        def mention(m: re.Match[str]) -> str:
            return "@" + (self.names.get(m.group(1)) or m.group(2) or m.group(1))

        def link(m: re.Match[str]) -> str:
            target, label = m.group(1), m.group(2)
            if target.startswith("#C") or target.startswith("#G"):
                return "#" + (label or target[1:])
            if target.startswith("!"):
                return "@" + (label or target[1:].split("^")[0])
            return label or target

        out = LINK.sub(link, MENTION.sub(mention, text))
        out = out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()
        return out or None

    def _acts(self, m: Any, cname: str, where: str, i: int, parents: dict[str, str | None],
              pending: list[Activity]) -> list[Activity]:
        if not isinstance(m, dict) or not isinstance(m.get("ts"), str) or not re.fullmatch(r"\d+(\.\d+)?", m["ts"]):
            self.bad(f"message {i}", "a Slack message with a ts", repr(m)[:80], file=where)
            return []
        st = m.get("subtype")
        if st in NOT_ACTS or m.get("type", "message") != "message":
            return []
        ts = m["ts"]
        when = slack_ts(ts)
        is_bot = bool(m.get("bot_id")) or st in BOT_SUBTYPES
        if st == "file_comment" and isinstance(m.get("comment"), dict):
            actor = m["comment"].get("user")
        elif m.get("user"):
            actor = m["user"]
        elif is_bot:
            actor = m.get("username") or m.get("bot_id")
            if actor:
                self.bots[actor] = Identity(channel=self.channel, key=actor, display_name=m.get("username"),
                                            is_bot=True, native={"bot_id": m.get("bot_id")})
        else:
            actor = None
        if actor and m.get("user") == actor:
            prof = m.get("user_profile") or {}
            name = prof.get("real_name") or prof.get("display_name") or m.get("username")
            hint = self.hints.setdefault(actor, {})
            if name:
                hint["name"] = name
            if is_bot or actor == "USLACKBOT":
                hint["bot"] = True
        mid = self.act_id(f"{cname}/{ts}")
        mentions = list(dict.fromkeys(x.group(1) for x in MENTION.finditer(m.get("text") or "")))
        native: dict[str, Any] = {"slack_channel": cname, "ts": ts}
        if st:
            native["subtype"] = st
        if mentions:
            native["mentions"] = mentions
        if m.get("edited"):
            native["edited"] = (m["edited"] or {}).get("ts")
        files = [f.get("name") or f.get("title") for f in (m.get("files") or ([m["file"]] if m.get("file") else []))
                 if isinstance(f, dict)]
        if files:
            native["files"] = files
        thread_ts = m.get("thread_ts")
        in_reply_to = target = None
        thread_id = mid
        text = self._plain(m.get("text"))
        if st in JOINS:
            kind, text = "follow", None
            if m.get("inviter"):
                native["inviter"] = m["inviter"]
        elif st == "file_comment":
            kind = "comment"
            target = (m.get("file") or {}).get("user")
            text = self._plain((m.get("comment") or {}).get("comment")) or text
        elif thread_ts and thread_ts != ts:
            kind = "reply"
            thread_id = in_reply_to = self.act_id(f"{cname}/{thread_ts}")
            native["thread_ts"] = thread_ts
            target = m.get("parent_user_id") or parents.get(thread_ts)
        else:
            kind = "post"
            target = mentions[0] if mentions else None
            if thread_ts == ts or m.get("reply_count"):
                parents[ts] = actor
                native["reply_count"] = m.get("reply_count")
        likes = []
        for r in m.get("reactions") or []:
            if not isinstance(r, dict):
                continue
            who = [u for u in r.get("users") or [] if isinstance(u, str)]
            for u in who:
                likes.append(Activity(
                    id=self.act_id(f"{cname}/{ts}/reaction/{r.get('name')}/{u}"), channel=self.channel, kind="like",
                    ts=when, actor=u, thread_id=thread_id, in_reply_to=mid, target=actor,
                    native={"slack_channel": cname, "emoji": r.get("name")}))
            extra = int(r.get("count") or 0) - len(who)
            if extra > 0:
                native["unattributed_reactions"] = native.get("unattributed_reactions", 0) + extra
        act = Activity(id=mid, channel=self.channel, kind=kind, ts=when, actor=actor, thread_id=thread_id,
                       in_reply_to=in_reply_to, target=target, text=text, native=native)
        if kind == "reply" and target is None:
            pending.append(act)
            return likes
        return [act, *likes]


__all__ = ["SlackSource", "slack_ts"]
