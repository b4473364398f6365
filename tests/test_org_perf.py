"""The org indicators on timestamps with fractional seconds (real exports carry them; the 1M-act
bench data crashed the Channels page: an epoch in seconds is fractional, not an integer)."""
from __future__ import annotations

import shutil

import pytest

from conftest import DATA, do_import
from lien.metrics import presence as P
from lien.metrics import responsiveness as R

ORG = DATA / "org"


@pytest.fixture
def sub(ws):
    shutil.copy(ORG / "lien.toml", ws.config_path)
    ws.reload_config()
    do_import(ws, DATA / "orgperf" / "subsecond.csv")
    return ws


def test_channels_with_fractional_seconds(sub):
    data = P.channels(sub, "2024-03-31")
    (blog,) = data["channels"]
    assert (blog["presence_weeks"], blog["publications"]) == (2, 2)
    # window starts 2024-01-01 00:00; p1 at 03-01 09:00:00.25 -> 60.375 days; tail from p2 (03-10 09:00:00.75) 21.6
    assert (blog["longest_silence_days"], blog["silent_for_days"]) == (60.4, 21.6)
    assert (blog["org_posts"], blog["org_replies"], blog["dialogue_ratio"]) == (2, 1, 0.5)
    o = P.overall(sub, "2024-03-31")
    assert (o["presence_weeks"], o["publications"], o["longest_silence_days"]) == (2, 2, 60.4)


def test_reply_time_with_fractional_seconds(sub):
    r = R.responsiveness(sub, "2024-03-31")["overall"]
    # c1 10:00:00.5 answered by r1 12:30:00.125: 2.4999 h
    assert (r["items"], r["answered"], r["median_hours"]) == (1, 1, 2.5)


def test_compiled_once_and_bound_per_call(sub):
    from lien.metrics import sqlcache

    first = P.channels(sub, "2024-03-31")
    later = P.channels(sub, "2024-06-30")  # same compiled SQL, other dates bound
    assert first["channels"][0]["presence_weeks"] == 2 and later["channels"][0]["presence_weeks"] == 0
    assert later["channels"][0]["flags"] == ["silent"]
    keys = [k for k in sqlcache._SQL if k[0][0] == "channels"]
    assert keys and all(sqlcache._SQL[k] is not None for k in keys)
    sql, names = sqlcache._SQL[keys[0]]
    assert "$end" in sql and "1901" not in sql and set(names) == {"end", "start", "prev", "since"}


def test_shared_block_gives_the_same_figures(sub):
    from lien.metrics.sqlcache import shared

    pid = sub.scalar("SELECT coalesce(person_id, id) FROM identities WHERE key = 'paul@ex.fr'")
    alone = (R.inbox(sub, "2024-03-31"), R.responsiveness(sub, "2024-03-31"), R.dialogue(sub, pid, "2024-03-31"))
    assert alone[2]["items"] == 1 and alone[2]["answered_within_limit_pct"] == 100.0
    with shared(sub):
        together = (R.inbox(sub, "2024-03-31"), R.responsiveness(sub, "2024-03-31"), R.dialogue(sub, pid, "2024-03-31"))
    assert alone == together
    # the block's tables are dropped when it ends
    assert not sub.rows("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '_lien_items_%'")
