"""The workspace schema: a public contract, versioned with forward migrations.

Each migration is a list of SQL statements; a workspace records the number of the last one
applied in ``meta.schema_version``. Never edit a published migration: add a new one.
Timestamps are ``TIMESTAMP`` values in UTC (no time zone attached, so that week and month
boundaries never depend on the session's time zone).
"""
from __future__ import annotations

ACTIVITY_KINDS = (
    "post", "comment", "reply", "message", "mention", "share", "like", "follow",
    "rsvp_yes", "rsvp_no", "rsvp_maybe", "waitlist", "attend", "no_show",
    "volunteer", "speak", "host",
)

MIGRATIONS: list[list[str]] = [
    # 1: the canonical tables
    [
        """CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)""",
        """CREATE TABLE sources (
            id INTEGER PRIMARY KEY,
            kind VARCHAR NOT NULL,            -- importer name: rss, wxr, ical, meetup, csv ...
            location VARCHAR NOT NULL,        -- absolute path or URL
            importer_version VARCHAR,
            first_imported_at TIMESTAMP,
            imported_at TIMESTAMP,
            records BIGINT DEFAULT 0,         -- records read at the last import
            content_hash VARCHAR,             -- hash of what was read at the last import
            etag VARCHAR,                     -- HTTP validators for conditional GET
            last_modified VARCHAR,
            options JSON                      -- import options (format, mapping, channel)
        )""",
        """CREATE TABLE people (
            id VARCHAR PRIMARY KEY,
            display_name VARCHAR,
            role VARCHAR NOT NULL DEFAULT 'community',   -- community | staff | bot
            tags VARCHAR[],
            created_at TIMESTAMP
        )""",
        """CREATE TABLE identities (
            id VARCHAR PRIMARY KEY,
            channel VARCHAR NOT NULL,
            key VARCHAR NOT NULL,             -- normalised handle, email or URL, unique per channel
            display_name VARCHAR,
            url VARCHAR,
            email VARCHAR,
            person_id VARCHAR,
            is_org BOOLEAN NOT NULL DEFAULT false,
            is_bot BOOLEAN NOT NULL DEFAULT false,
            source_id INTEGER,
            native JSON
        )""",
        """CREATE TABLE activities (
            id VARCHAR NOT NULL,              -- stable: hash of source kind + native id
            channel VARCHAR NOT NULL,
            identity_id VARCHAR,              -- who did it (null: anonymous signal)
            kind VARCHAR NOT NULL,
            ts TIMESTAMP NOT NULL,            -- UTC
            thread_id VARCHAR,                -- root post id, or event id for attendance
            in_reply_to VARCHAR,              -- activity id of the parent
            target_identity_id VARCHAR,       -- whom it addresses
            url VARCHAR,
            title VARCHAR,
            text VARCHAR,                     -- plain text, HTML reduced safely
            lang VARCHAR,
            source_id INTEGER,
            native JSON
        )""",
        """CREATE TABLE events (
            id VARCHAR PRIMARY KEY,
            channel VARCHAR NOT NULL,
            name VARCHAR,
            starts_at TIMESTAMP,
            ends_at TIMESTAMP,
            place VARCHAR,
            url VARCHAR,
            capacity INTEGER,
            source_id INTEGER,
            native JSON
        )""",
        """CREATE TABLE links (
            id INTEGER PRIMARY KEY,
            action VARCHAR NOT NULL,          -- merge | split | undo
            identity_id VARCHAR,
            other_identity_id VARCHAR,
            person_id VARCHAR,
            previous_person_id VARCHAR,
            rule VARCHAR,                     -- email, url, declared, manual, ...
            reason VARCHAR,
            decided_by VARCHAR,
            decided_at TIMESTAMP,
            undone_at TIMESTAMP
        )""",
        """CREATE TABLE tombstones (
            channel VARCHAR,
            key_hash VARCHAR NOT NULL,        -- sha256 of the normalised key, never the key itself
            forgotten_at TIMESTAMP
        )""",
        """CREATE TABLE goals (
            id INTEGER PRIMARY KEY,
            metric VARCHAR NOT NULL,
            scope VARCHAR,
            target DOUBLE NOT NULL,
            comparison VARCHAR NOT NULL DEFAULT '>=',
            deadline DATE NOT NULL,
            created_at TIMESTAMP,
            baseline DOUBLE,
            note VARCHAR
        )""",
        """CREATE SEQUENCE source_ids START 1""",
        """CREATE SEQUENCE link_ids START 1""",
        """CREATE SEQUENCE goal_ids START 1""",
    ],
    # 2: the model's weekly snapshots (lien.metrics.snapshots; docs/concepts/model.md)
    [
        """CREATE TABLE score_weeks (
            person_id VARCHAR NOT NULL,
            week DATE NOT NULL,               -- Monday of the ISO week; the snapshot is taken at its end
            role VARCHAR,                     -- community | staff (staff: scored, out of aggregates)
            x_offline DOUBLE, x_conversation DOUBLE, x_reciprocity DOUBLE, x_light DOUBLE,
            online_weeks INTEGER, offline_months INTEGER, channels INTEGER,
            v_offline DOUBLE, v_conversation DOUBLE, v_reciprocity DOUBLE, v_regularity DOUBLE,
            v_breadth DOUBLE, v_light DOUBLE,
            p_offline DOUBLE, p_conversation DOUBLE, p_reciprocity DOUBLE, p_regularity DOUBLE,
            p_breadth DOUBLE, p_light DOUBLE,
            pes DOUBLE,                       -- sum of the six p_* columns
            substantive_13w INTEGER, online_13w INTEGER, checkins_13w INTEGER, checkins_26w INTEGER,
            counterparts_13w INTEGER,
            first_week DATE, first_substantive_week DATE, last_substantive DATE, median_gap_days DOUBLE,
            level_rule TINYINT,               -- 0..3 from the rules of this week alone
            level TINYINT,                    -- 0..3 after immediate promotion / month-end demotion
            tags VARCHAR[],
            responders DOUBLE, newcomers INTEGER, pagerank_pct DOUBLE, prescriber DOUBLE
        )""",
        """CREATE TABLE tie_weeks (
            a VARCHAR NOT NULL, b VARCHAR NOT NULL,  -- people ids (a < b); '@org' is the organisation
            week DATE NOT NULL,
            reciprocated INTEGER, one_way INTEGER, co_attendance INTEGER, reactions INTEGER,
            online_points DOUBLE, offline_points DOUBLE,
            points DOUBLE                     -- capped weekly points (before decay)
        )""",
        """CREATE TABLE pagerank_months (
            week DATE NOT NULL,               -- the month's last snapshot week
            node VARCHAR NOT NULL, rank DOUBLE, pct DOUBLE
        )""",
        """CREATE TABLE score_input (week DATE, acts BIGINT, digest BIGINT)""",
    ],
]

SCHEMA_VERSION = len(MIGRATIONS)

#: Tables users may read directly; `lien export` exports these.
PUBLIC_TABLES = ("sources", "people", "identities", "activities", "events", "links", "goals")
