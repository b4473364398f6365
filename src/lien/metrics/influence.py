"""Prescribers (MODEL.md §7): influence from who answers whom and who brings newcomers.

``P = 40·s(A; 5) + 30·PR + 30·s(N; 2)``:
- A: decayed (h = online half-life) number of distinct people who answered the person's content;
- PR: percentile of weighted PageRank (α = 0.85) on the 26-week reply/mention graph, computed
  at each month's last snapshot week and used for the weeks of the following month;
- N: attributed newcomers in 26 weeks: people whose first substantive act answered this person.
Follower counts weigh nothing.
"""
from __future__ import annotations

from typing import Any

import ibis

from .base import ibis_backend
from .engagement import OFFLINE, ONLINE_SUBSTANTIVE, ORG

ALPHA = 0.85
GRAPH_WEEKS = 26
NEWCOMER_WEEKS = 26
K_RESPONDERS = 5.0
K_NEWCOMERS = 2.0
ITERATIONS = 60
TOLERANCE = 1e-7


def responders(direct: Any) -> Any:
    """(person, other, week): ``other`` (a person, not us) answered ``person``'s content."""
    d = direct.filter(direct.kind.isin(("comment", "reply", "mention")) & (direct.src != ORG) & (direct.dst != ORG))
    return d.select(person=d.dst, other=d.src, week=d.week).distinct()


def newcomers(b: Any) -> Any:
    """(person, other, week): ``other``'s first substantive act ever answered ``person``."""
    from .engagement import base_acts

    a = base_acts(b, with_targets=False)
    s = a.filter(a.scored & a.kind.isin(ONLINE_SUBSTANTIVE + OFFLINE))
    w = ibis.window(group_by=s.actor, order_by=[s.ts, s.id])
    s = s.mutate(rn=ibis.row_number().over(w))
    first = s.filter(s.rn == 0)
    # whom it addressed: the target, else the parent's author (looked up for these acts only)
    acts = b.table("activities").select(pid="id", pidentity="identity_id")
    ids = b.table("identities").select(iid="id", iperson="person_id", iorg="is_org", ibot="is_bot")
    first = first.left_join(acts, first.in_reply_to == acts.pid)
    first = first.mutate(dst_identity=first.target_identity_id.coalesce(first.pidentity))
    first = first.join(ids, first.dst_identity == ids.iid)
    first = first.filter(~first.iorg & ~first.ibot & (first.iperson != first.actor))
    return first.select(person=first.iperson, other=first.actor, week=first.week)


def pagerank(direct: Any, me: Any, plan: Any) -> Any:
    """Weighted PageRank for each month-end week M (table ``me``, column ``m``) on the direct
    acts of weeks (M-26, M]: an iterative loop over one edge table, all months at once.

    Returns (week, node, rank, pct), ``pct`` = percentile of the rank among people (the
    organisation is a node, not ranked).

    Memory stays bounded at any size: nodes are numbered, and each (month-end, node) pair is
    one BIGINT key (``m·2³² + k``), so an iteration is one hash join of the edge table
    (s, d, share) with the rank table on that key and one aggregate on it; the rank table
    carries the month and the dangling flag, so the dangling mass needs no join."""
    # nodes are numbered for the loop (joins and groupings on integers, not strings)
    names = direct.select(node=direct.src).union(direct.select(node=direct.dst)).distinct()
    names = plan.materialize("_lien_pr_ids", names.mutate(k=ibis.row_number().over(order_by="node")))
    # the acts counted once per (week, src, dst), then spread over the month-ends whose
    # 26-week window holds that week (an equi-join on the week: a small week → month-end table)
    d = direct.group_by(week=direct.week, s_node=direct.src, d_node=direct.dst).aggregate(c=ibis._.count())
    weeks = d.select("week").distinct()
    wm = weeks.join(me, [weeks.week <= me.m, weeks.week > me.m - GRAPH_WEEKS]).select("week", "m")
    si = names.select(s_node="node", s_k="k")
    di = names.select(d_node="node", d_k="k")
    d = d.join(si, "s_node").join(di, "d_node").join(wm, "week")
    e = d.group_by(m=d.m, src=d.s_k, dst=d.d_k).aggregate(w=d.c.sum().cast("float64"))
    outw = e.group_by("m", "src").aggregate(out=ibis._.w.sum())
    e = e.join(outw, ["m", "src"])
    e = e.select(m=e.m, src=e.src, dst=e.dst, share=e.w / e.out)
    edges = plan.materialize("_lien_pr_e", e)
    nodes = edges.select(m=edges.m, node=edges.src).union(edges.select(m=edges.m, node=edges.dst)).distinct()
    n = nodes.group_by("m").aggregate(n=ibis._.count().cast("float64"))
    nodes = nodes.join(n, "m")
    src_nodes = edges.select(m=edges.m, node=edges.src).distinct().mutate(has_out=True)
    nodes = nodes.left_join(src_nodes, ["m", "node"])
    nodes = plan.materialize("_lien_pr_nodes", nodes.select(
        key=_key(nodes.m, nodes.node), m=nodes.m, n=nodes.n, dangling=nodes.has_out.isnull()))
    plan.materialize("_lien_pr_edges", edges.select(s=_key(edges.m, edges.src), d=_key(edges.m, edges.dst),
                                                    share=edges.share))
    plan.sql('DROP TABLE "_lien_pr_e"')
    b = ibis_backend(plan.ws)
    edges = b.table("_lien_pr_edges")
    r0 = plan.materialize("_lien_pr_r0", nodes.select("key", "m", "dangling", r=1.0 / nodes.n))
    plan.materialize("_lien_pr_r1", r0)

    def step(rank: Any) -> Any:
        dm = rank.filter(rank.dangling).group_by("m").aggregate(dm=ibis._.r.sum())
        flow = edges.join(rank, edges.s == rank.key)
        flow = flow.group_by(key=flow.d).aggregate(f=(flow.r * flow.share).sum())
        new = nodes.left_join(flow, "key").left_join(dm, "m")
        return new.select(key=new.key, m=new.m, dangling=new.dangling,
                          r=(1 - ALPHA) / new.n + ALPHA * (new.f.fill_null(0.0) + new.dm.fill_null(0.0) / new.n))

    # one iteration per statement (several per statement measured slower: DuckDB materializes
    # each shared intermediate), the convergence checked after every second one
    r1 = b.table("_lien_pr_r1")
    bodies = [f'CREATE OR REPLACE TEMP TABLE "_lien_pr_r1" AS {b.compile(step(r0))}',
              f'CREATE OR REPLACE TEMP TABLE "_lien_pr_r0" AS {b.compile(step(r1))}']
    diff = r0.join(r1, "key").select(d=(r0.r - r1.r).abs()).d.max()
    plan.loop(bodies, b.compile(diff), ITERATIONS, TOLERANCE)
    rank = b.table("_lien_pr_r0")
    rank = rank.mutate(k=rank.key - rank.m.cast("int64") * _SHIFT)
    rank = rank.join(names, rank.k == names.k).select(m=rank.m, node=names.node, r=rank.r)
    people = rank.filter(rank.node != ORG)
    pct = ibis.percent_rank().over(ibis.window(group_by=people.m, order_by=people.r))
    return people.select(week=people.m, node=people.node, rank=people.r, pct=pct)


_SHIFT = 1 << 32  # node numbers stay below 2³²: (month-end, node) packs into one BIGINT


def _key(m: Any, k: Any) -> Any:
    return m.cast("int64") * _SHIFT + k.cast("int64")
