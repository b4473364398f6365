"""Properties of the model (hypothesis), configuration, incremental scoring, exclusions."""
from __future__ import annotations

import csv
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lien
from conftest import DATA, do_import

MON = date(2024, 6, 24)  # the week ending 2024-06-30
AS_OF = "2024-06-30"
FIELDS = ["id", "kind", "ts", "actor", "actor_name", "channel", "thread", "in_reply_to", "event"]
SUBSTANTIVE = ["post", "comment", "reply", "message", "attend", "volunteer", "host"]
KINDS = SUBSTANTIVE + ["like", "share", "follow", "rsvp_yes"]


def ts(age: int, dow: int) -> str:
    return (MON - timedelta(weeks=age) + timedelta(days=dow)).isoformat() + "T12:00:00Z"


def write(path: Path, acts: list[dict]) -> Path:
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        w.writeheader()
        for a in acts:
            w.writerow({k: a.get(k, "") for k in FIELDS})
    return path


def base_acts() -> list[dict]:
    """Our post, and a second member who comments now and then and came to one event (so
    that the workspace always has an offline track: its weights stay the same)."""
    out = [dict(id="org-p", kind="post", ts=ts(40, 0), actor="contact@asso.fr", actor_name="Asso",
                channel="forum", thread="org-p"),
           dict(id="yan-ev", kind="attend", ts=ts(35, 3), actor="yan@x.org", actor_name="Yan", channel="meetup",
                event="ev-old")]
    for age in range(0, 30, 3):
        out.append(dict(id=f"yan-{age}", kind="comment", ts=ts(age, 1), actor="yan@x.org", actor_name="Yan",
                        channel="forum", thread="org-p", in_reply_to="org-p"))
    return out


act = st.tuples(st.sampled_from(KINDS), st.integers(0, 30), st.integers(0, 6))


def to_rows(acts: list[tuple[str, int, int]], prefix: str) -> list[dict]:
    rows = []
    for n, (kind, age, dow) in enumerate(acts):
        r = dict(id=f"{prefix}{n}", kind=kind, ts=ts(age, dow), actor="ana@x.org", actor_name="Ana", channel="forum",
                 thread="org-p", in_reply_to=f"yan-{(age // 3) * 3}" if kind == "reply" else "org-p")
        if kind in ("attend", "volunteer", "host", "rsvp_yes"):
            r.update(channel="meetup", thread="", in_reply_to="", event=f"ev{age}")
        rows.append(r)
    return rows


def fresh(tmp: Path, name: str):
    d = tmp / name
    d.mkdir()
    shutil.copy(DATA / "model" / "lien.toml", d / "lien.toml")
    return lien.open(d / "lien.duckdb")


def ana(ws, week: date = MON) -> dict:
    rows = ws.rows("""SELECT s.* FROM score_weeks s JOIN identities i ON i.person_id = s.person_id
                      WHERE i.key = 'ana@x.org' AND s.week = ?""", [week])
    return rows[0] if rows else {"pes": 0.0, "level": 0}


PROPS = settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROPS
@given(acts=st.lists(act, min_size=1, max_size=12), likes=st.lists(st.tuples(st.integers(0, 30), st.integers(0, 6)),
                                                                   min_size=1, max_size=25))
def test_likes_never_raise_a_level(tmp_path_factory, acts, likes):
    tmp = tmp_path_factory.mktemp("likes")
    ws = fresh(tmp, "w")
    do_import(ws, write(tmp / "a.csv", base_acts() + to_rows(acts, "a")))
    before = ana(ws)
    do_import(ws, write(tmp / "b.csv", to_rows([("like", a, d) for a, d in likes], "l")), channel="a")
    after = ana(ws)
    assert after["level"] <= before["level"]
    assert after["pes"] - before["pes"] <= 5.0 + 1e-9  # likes never bring more than their 5 points
    ws.close()


@PROPS
@given(acts=st.lists(act, max_size=12), extra=st.tuples(st.sampled_from(SUBSTANTIVE), st.integers(0, 30),
                                                        st.integers(0, 6)))
def test_a_substantive_act_never_lowers_the_pes(tmp_path_factory, acts, extra):
    tmp = tmp_path_factory.mktemp("subst")
    ws = fresh(tmp, "w")
    do_import(ws, write(tmp / "a.csv", base_acts() + to_rows(acts, "a")))
    before = ana(ws)
    do_import(ws, write(tmp / "b.csv", to_rows([extra], "x")), channel="a")
    after = ana(ws)
    assert after["pes"] >= before["pes"] - 1e-9
    assert after["level"] >= before["level"]
    ws.close()


@PROPS
@given(acts=st.lists(act, min_size=1, max_size=12))
def test_scores_decay_when_nothing_happens_and_components_sum(tmp_path_factory, acts):
    tmp = tmp_path_factory.mktemp("decay")
    ws = fresh(tmp, "w")
    do_import(ws, write(tmp / "a.csv", base_acts() + to_rows(acts, "a")))
    last_age = min(a for _, a, _ in acts)
    series = [float(ana(ws, MON + timedelta(weeks=k))["pes"]) for k in range(-last_age + 1, 14)]
    assert all(b <= a + 1e-9 for a, b in zip(series, series[1:])), series
    if series[0] > 0:
        assert series[-1] < series[0]
    assert float(ana(ws, MON + timedelta(weeks=60))["pes"]) == 0.0  # beyond the lookback: no row, 0
    bad = ws.rows("""SELECT count(*) AS n FROM score_weeks WHERE abs(p_offline + p_conversation + p_reciprocity
                     + p_regularity + p_breadth + p_light - pes) > 1e-9 OR pes < 0 OR pes > 100""")
    assert bad[0]["n"] == 0
    ws.close()


def test_staff_and_bots_stay_out_of_community_figures(tmp_path):
    from lien.metrics.levels import advocates, levels
    from lien.metrics.persons import people

    ws = fresh(tmp_path, "w")
    (tmp_path / "w" / "lien.toml").write_text('[organisation]\nidentities = ["contact@asso.fr"]\n'
                                              'staff = ["yan@x.org"]\nbots = ["robot@x.org"]\n')
    ws.reload_config()
    rows = base_acts() + to_rows([("comment", a, 2) for a in range(0, 13)] + [("attend", a, 3) for a in (1, 5, 9, 14)],
                                 "a")
    rows += [dict(id=f"bot{a}", kind="comment", ts=ts(a, 2), actor="robot@x.org", actor_name="Robot",
                  channel="forum", thread="org-p", in_reply_to="org-p") for a in range(13)]
    do_import(ws, write(tmp_path / "a.csv", rows))
    roles = {r["name"]: r["role"] for r in people(ws, as_of=AS_OF)["people"]}
    assert roles == {"Ana": "community", "Yan": "staff"}  # staff scored, bots not, our account not
    lv = levels(ws, as_of=AS_OF)["months"][-1]
    assert lv["members"] == 1 and sum(lv["counts"].values()) == 1
    assert all(a["name"] == "Ana" for a in advocates(ws, as_of=AS_OF)["advocates"])
    assert ws.rows("""SELECT count(*) AS n FROM score_weeks s JOIN people p ON p.id = s.person_id
                      WHERE p.role = 'bot' OR s.person_id IN (SELECT person_id FROM identities WHERE is_org)""")[0]["n"] == 0
    ws.close()


def rounded(ws) -> list[dict]:
    """score_weeks with numbers to 9 decimals (the decays' exponents start from another week)."""
    return [{k: round(v, 9) if isinstance(v, float) else v for k, v in r.items()}
            for r in ws.rows("SELECT * FROM score_weeks ORDER BY person_id, week")]


def test_settings_change_results_and_incremental_equals_full(tmp_path):
    from lien.metrics.snapshots import score

    ws = fresh(tmp_path, "w")
    acts = [("comment", a, 2) for a in (1, 3, 6, 9)] + [("attend", 2, 3), ("like", 1, 1)]
    do_import(ws, write(tmp_path / "a.csv", base_acts() + to_rows(acts, "a")))
    p1 = ana(ws)
    # a later export: only the weeks it touches are recomputed
    later = [dict(id="late", kind="reply", ts=(MON + timedelta(weeks=2, days=1)).isoformat() + "T10:00:00Z",
                  actor="ana@x.org", actor_name="Ana", channel="forum", thread="org-p", in_reply_to="yan-0")]
    [s] = do_import(ws, write(tmp_path / "b.csv", later), channel="a")
    assert s.added == 1
    inc = rounded(ws)
    again = score(ws)
    assert again.weeks == 0  # nothing new
    full = score(ws, full=True)
    assert full.full and rounded(ws) == inc
    # halve the conversation weight: the conversation points halve, everything else stays
    (tmp_path / "w" / "lien.toml").write_text((DATA / "model" / "lien.toml").read_text()
                                              + "\n[model]\nweights = { conversation = 12.5 }\n")
    ws.reload_config()
    score(ws)
    p2 = ana(ws)
    assert p2["p_conversation"] == pytest.approx(p1["p_conversation"] / 2)
    assert p2["p_offline"] == pytest.approx(p1["p_offline"])
    assert p2["pes"] == pytest.approx(p1["pes"] - p1["p_conversation"] / 2)
    ws.close()


def test_without_events_offline_is_hidden_and_weights_rescaled(tmp_path):
    ws = fresh(tmp_path, "w")
    online = [a for a in base_acts() if a["kind"] != "attend"]
    do_import(ws, write(tmp_path / "a.csv", online + to_rows([("comment", a, 2) for a in range(8)], "a")))
    r = ana(ws)
    assert r["p_offline"] == 0
    assert r["p_regularity"] == pytest.approx(15 * 100 / 70 * r["v_regularity"])
    assert r["p_conversation"] == pytest.approx(25 * 100 / 70 * r["v_conversation"])
    ws.close()
