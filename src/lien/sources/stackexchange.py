"""Stack Exchange data dump: a folder with ``Posts.xml``, ``Comments.xml``, ``Users.xml`` and
``Votes.xml`` (the other files of the dump are not read).

What becomes what:

- questions (``PostTypeId`` 1) → ``post``; answers (2) → ``reply`` to the question, addressed
  to its owner; tag wiki entries (4, 5) and other post types are not community acts: skipped;
- comments → ``comment`` on their post, addressed to the post's owner;
- votes: the dump hides who voted for up and down votes. Upvotes become anonymous ``like``
  acts (no actor) on the post, addressed to its owner; favourites and bounties name the
  voter (``like`` by them); an accepted answer is a ``like`` by the question's owner (only
  the asker can accept). Downvotes and moderation votes (close, delete, spam …) are not
  acts: their net effect stays in each post's ``score`` (in ``native``);
- ``Users.xml`` → identities keyed by the user's numeric id (display name, profile URL when
  the folder is named after the site's host; location, website, reputation in ``native``).
  Deleted users appear in posts and comments only by a display name such as ``user23``:
  that name is their key. User ``-1`` (Community) is a bot.

The XML is streamed (entities refused) into DuckDB staging tables in chunks, and the acts
are built there in SQL: memory does not grow with the dump.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar, Iterator

import duckdb
import pyarrow as pa

from ..i18n import register, t
from ..text import sql_hash
from .base import Batch, Source
from .xmlsafe import iterparse

register({
    "stackexchange.no_posts": {"en": "a Stack Exchange dump folder with Posts.xml",
                               "fr": "un dossier d'export Stack Exchange contenant Posts.xml"},
    "stackexchange.missing": {"en": "{file} is absent: its records are not imported",
                              "fr": "{file} est absent : ses enregistrements ne sont pas importés"},
    "stackexchange.votes_kept_out": {
        "en": "Votes.xml: {down} downvotes and {other} moderation votes are not acts (kept in each post's score)",
        "fr": "Votes.xml : {down} votes négatifs et {other} votes de modération ne sont pas des actes "
              "(gardés dans le score de chaque message)"},
    "stackexchange.posts_kept_out": {
        "en": "Posts.xml: {n} tag wiki and other non-Q&A posts skipped",
        "fr": "Posts.xml : {n} wikis de tags et autres messages hors questions-réponses ignorés"},
})

#: the attributes read from each file (everything else in the dump is left alone)
FILES: dict[str, tuple[str, tuple[str, ...]]] = {
    "Users.xml": ("users", ("Id", "Reputation", "CreationDate", "DisplayName", "WebsiteUrl", "Location",
                            "AccountId")),
    "Posts.xml": ("posts", ("Id", "PostTypeId", "ParentId", "AcceptedAnswerId", "CreationDate", "Score",
                            "ViewCount", "Body", "OwnerUserId", "OwnerDisplayName", "Title", "Tags",
                            "AnswerCount", "CommentCount", "ClosedDate")),
    "Comments.xml": ("comments", ("Id", "PostId", "Score", "Text", "CreationDate", "UserId", "UserDisplayName")),
    "Votes.xml": ("votes", ("Id", "PostId", "VoteTypeId", "UserId", "CreationDate", "BountyAmount")),
}
#: vote types that become ``like`` acts: 1 accepted, 2 up, 5 favourite, 8 bounty start
LIKE_VOTES = {"1": "accepted", "2": "up", "5": "favorite", "8": "bounty"}
_HOST = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$", re.IGNORECASE)


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


class StackExchangeSource(Source):
    name = "stackexchange"
    version = "1"
    label = "Stack Exchange data dump (Posts.xml, Comments.xml, Users.xml, Votes.xml)"
    kinds: ClassVar[tuple[str, ...]] = ("post", "reply", "comment", "like")
    takes_directory = True

    @classmethod
    def detect(cls, path: Path, head: bytes) -> int:
        if path.is_dir():
            return 90 if (path / "Posts.xml").is_file() else 0
        if path.name.lower() == "posts.xml" and b"<posts" in head:
            return 90
        return 0

    # -- reading the XML into staging tables ------------------------------------------------
    def _stage_file(self, path: Path, table: str, cols: tuple[str, ...]) -> int:
        con = self.con
        con.execute(f"CREATE OR REPLACE TEMP TABLE _se_{table} (_n BIGINT, "
                    + ", ".join(f'"{c}" VARCHAR' for c in cols) + ")")
        chunk = max(1000, self.options.chunk_size)
        buf: dict[str, list[Any]] = {c: [] for c in ("_n", *cols)}
        n = 0

        def flush() -> None:
            if not buf["_n"]:
                return
            arrow = pa.table({"_n": pa.array(buf["_n"], pa.int64()),
                              **{c: pa.array(buf[c], pa.string()) for c in cols}})
            # not con.register(): inside the import's transaction, a registered view that is
            # unregistered again stays in the catalog until the commit, and keeps its Arrow
            # table alive with it: memory grew with the dump (2.4 GB for 1 GB of Posts.xml)
            con.from_arrow(arrow).insert_into(f"_se_{table}")
            for v in buf.values():
                v.clear()

        root = None
        for ev, el in iterparse(path, events=("start", "end"), location=str(path)):
            if ev == "start":
                if root is None:
                    root = el
                continue
            if el is root or el.tag != "row":
                continue
            n += 1
            get = el.attrib.get
            buf["_n"].append(n)
            for c in cols:
                buf[c].append(get(c))
            root.clear()  # drop the rows already read: memory stays flat
            if len(buf["_n"]) >= chunk:
                flush()
        flush()
        return n

    def _check(self, path: Path, table: str, required: tuple[str, ...]) -> None:
        """Name the rows without an id, a date or a required reference; drop them with --skip-bad."""
        cond = " OR ".join([f'"{c}" IS NULL' for c in required]
                           + ["try_cast(CreationDate AS TIMESTAMP) IS NULL"])
        bad = self.con.execute(f'SELECT _n, "Id", CreationDate, {", ".join(f"{c!r}" for c in required)} '
                               f"FROM _se_{table} WHERE {cond} ORDER BY _n LIMIT 1000").fetchall()
        for row in bad:
            self.bad(f"row {row[0]} (Id={row[1]})", f"a row with {', '.join(required)} and a CreationDate",
                     f"CreationDate={row[2]!r}" if row[2] is None or not re.match(r"\d{4}-", row[2] or "")
                     else "a missing attribute", file=path)
        if bad:
            self.con.execute(f"DELETE FROM _se_{table} WHERE {cond}")

    def read(self) -> Iterator[Batch]:
        folder = self.path if self.path.is_dir() else self.path.parent
        site = folder.name
        channel = self.default_channel(f"stackexchange:{site}")
        site = channel.split(":", 1)[1] if channel.startswith("stackexchange:") else site
        self.namespace = f"{self.name}:{site}"
        if not (folder / "Posts.xml").is_file():
            self.bad("the folder", t("stackexchange.no_posts"), "no Posts.xml", file=folder)
            return
        read = 0
        staged = []
        try:
            for fname, (table, cols) in FILES.items():
                p = folder / fname
                if not p.is_file():
                    self.warn(t("stackexchange.missing", file=fname))
                    self.con.execute(f"CREATE OR REPLACE TEMP TABLE _se_{table} (_n BIGINT, "
                                     + ", ".join(f'"{c}" VARCHAR' for c in cols) + ")")
                    staged.append(table)
                    continue
                n = self._stage_file(p, table, cols)
                staged.append(table)
                self._check(p, table, {"users": ("Id",), "posts": ("Id", "PostTypeId"),
                                       "comments": ("Id", "PostId"), "votes": ("Id", "PostId", "VoteTypeId")}[table])
                if table != "users":
                    read += n
            self._report_kept_out()
            yield Batch(sql=self._sql(channel, site), records=read)
        finally:
            try:
                for table in staged:
                    self.con.execute(f"DROP TABLE IF EXISTS _se_{table}")
            except duckdb.TransactionException:
                pass  # the import failed: its rollback drops the staging tables

    def _report_kept_out(self) -> None:
        posts = self.con.execute("SELECT count(*) FROM _se_posts WHERE PostTypeId NOT IN ('1', '2')").fetchone()[0]
        if posts:
            self.warn(t("stackexchange.posts_kept_out", n=posts))
        likes = ", ".join(_lit(k) for k in LIKE_VOTES)
        down, other = self.con.execute(
            f"SELECT count(*) FILTER (WHERE VoteTypeId = '3'), "
            f"count(*) FILTER (WHERE VoteTypeId NOT IN ('3', {likes})) FROM _se_votes").fetchone()
        if down or other:
            self.warn(t("stackexchange.votes_kept_out", down=down, other=other))

    # -- the acts, in SQL -------------------------------------------------------------------
    def _sql(self, channel: str, site: str) -> dict[str, str]:
        ns = _lit(self.namespace)
        ch = _lit(channel)

        def h(kind: str, col: str) -> str:
            return sql_hash(ns, f"'{kind}:' || {col}")

        host = site if _HOST.match(site) else None
        url = (lambda path, col: f"'https://{host}/{path}/' || {col}") if host else (lambda path, col: "NULL")
        who = "coalesce({0}.OwnerUserId, {0}.OwnerDisplayName)".format
        qa = "('1', '2')"
        posts = f"""
            SELECT {h('post', 'p.Id')} AS id, {ch} AS channel,
                   CASE p.PostTypeId WHEN '1' THEN 'post' ELSE 'reply' END AS kind,
                   CAST(p.CreationDate AS TIMESTAMP) AS ts, {who('p')} AS actor, NULL AS actor_channel,
                   {h('post', 'coalesce(p.ParentId, p.Id)')} AS thread_id,
                   CASE WHEN p.PostTypeId = '2' THEN {h('post', 'p.ParentId')} END AS in_reply_to,
                   CASE WHEN p.PostTypeId = '2' THEN {who('q')} END AS target, NULL AS target_channel,
                   {url('q', 'p.Id')} AS url, p.Title AS title, p.Body AS text, NULL AS lang,
                   CAST(to_json(struct_pack(
                       score := try_cast(p.Score AS INTEGER), views := try_cast(p.ViewCount AS INTEGER),
                       tags := list_filter(regexp_split_to_array(coalesce(p.Tags, ''), '[<>|]+'), lambda x: x <> ''),
                       accepted := CASE WHEN p.PostTypeId = '2' THEN coalesce(q.AcceptedAnswerId = p.Id, false) END,
                       closed := p.ClosedDate, post_id := try_cast(p.Id AS BIGINT))) AS VARCHAR) AS native
            FROM _se_posts p LEFT JOIN _se_posts q ON p.PostTypeId = '2' AND q.Id = p.ParentId
            WHERE p.PostTypeId IN {qa}"""
        comments = f"""
            SELECT {h('comment', 'c.Id')} AS id, {ch} AS channel, 'comment' AS kind,
                   CAST(c.CreationDate AS TIMESTAMP) AS ts, coalesce(c.UserId, c.UserDisplayName) AS actor,
                   NULL AS actor_channel, {h('post', 'coalesce(p.ParentId, c.PostId)')} AS thread_id,
                   {h('post', 'c.PostId')} AS in_reply_to, {who('p')} AS target, NULL AS target_channel,
                   {url('posts/comments', 'c.Id')} AS url, NULL AS title, c.Text AS text, NULL AS lang,
                   CAST(to_json(struct_pack(score := try_cast(c.Score AS INTEGER),
                                            comment_id := try_cast(c.Id AS BIGINT))) AS VARCHAR) AS native
            FROM _se_comments c LEFT JOIN _se_posts p ON p.Id = c.PostId
            WHERE p.Id IS NULL OR p.PostTypeId IN {qa}"""
        vote_name = "CASE v.VoteTypeId " + " ".join(f"WHEN '{k}' THEN '{n}'" for k, n in LIKE_VOTES.items()) + " END"
        votes = f"""
            SELECT {h('vote', 'v.Id')} AS id, {ch} AS channel, 'like' AS kind,
                   CAST(v.CreationDate AS TIMESTAMP) AS ts,
                   CASE v.VoteTypeId WHEN '1' THEN {who('q')} WHEN '2' THEN NULL ELSE v.UserId END AS actor,
                   NULL AS actor_channel, {h('post', 'coalesce(p.ParentId, v.PostId)')} AS thread_id,
                   {h('post', 'v.PostId')} AS in_reply_to, {who('p')} AS target, NULL AS target_channel,
                   NULL AS url, NULL AS title, NULL AS text, NULL AS lang,
                   CAST(to_json(struct_pack(vote := {vote_name}, bounty := try_cast(v.BountyAmount AS INTEGER)))
                        AS VARCHAR) AS native
            FROM _se_votes v LEFT JOIN _se_posts p ON p.Id = v.PostId
                 LEFT JOIN _se_posts q ON q.Id = p.ParentId
            WHERE v.VoteTypeId IN ({', '.join(_lit(k) for k in LIKE_VOTES)})
              AND (p.Id IS NULL OR p.PostTypeId IN {qa})"""
        users = f"""
            SELECT {ch} AS channel, u.Id AS key, u.DisplayName AS display_name, {url('users', 'u.Id')} AS url,
                   NULL AS email, false AS is_org, u.Id = '-1' AS is_bot,
                   CAST(to_json(struct_pack(location := nullif(u.Location, ''), website := nullif(u.WebsiteUrl, ''),
                                            reputation := try_cast(u.Reputation AS INTEGER),
                                            account_id := u.AccountId, created := u.CreationDate)) AS VARCHAR) AS native
            FROM _se_users u"""
        return {"identities": users,
                "activities": f"{posts}\nUNION ALL\n{comments}\nUNION ALL\n{votes}"}


__all__ = ["StackExchangeSource"]
