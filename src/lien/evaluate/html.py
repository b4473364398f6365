"""The evaluation as one self-contained HTML page: an inline SVG chart of every model's AUC
with its interval, and the tables. No script, no external file; every string escaped."""
from __future__ import annotations

from html import escape
from typing import Any

from .. import i18n

W, ROW, LEFT, RIGHT = 640, 26, 150, 60


def _f(v: Any, nd: int = 3) -> str:
    return "" if v is None else f"{v:.{nd}f}"


def chart(models: dict[str, dict[str, Any]], title: str) -> str:
    """Horizontal AUC bars (0.5 … 1) with the 95% interval as a whisker; 0.5 is chance."""
    items = [(n, m) for n, m in models.items() if m.get("auc") is not None]
    h = 40 + ROW * len(items) + 30
    span = W - LEFT - RIGHT

    def x(a: float) -> float:
        return LEFT + span * (max(0.5, min(1.0, a)) - 0.5) / 0.5  # below chance: at the axis

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{h}" role="img" '
             f'aria-label="{escape(title)}" font-family="sans-serif" font-size="12">',
             f'<text x="{LEFT}" y="16" font-weight="bold">{escape(title)}</text>']
    for tick in (0.5, 0.6, 0.7, 0.8, 0.9, 1.0):
        tx = x(tick)
        parts.append(f'<line x1="{tx:.1f}" y1="28" x2="{tx:.1f}" y2="{h - 24}" stroke="#ddd"/>'
                     f'<text x="{tx:.1f}" y="{h - 10}" text-anchor="middle" fill="#555">{tick:.1f}</text>')
    for i, (name, m) in enumerate(items):
        y = 36 + i * ROW
        ours = name.startswith("pes") or name == "components_logit"
        colour = "#2b6cb0" if ours else "#a0aec0"
        a = m["auc"]
        parts.append(f'<text x="{LEFT - 8}" y="{y + 13}" text-anchor="end">{escape(name)}</text>')
        parts.append(f'<rect x="{LEFT}" y="{y + 3}" width="{max(0.0, x(a) - LEFT):.1f}" height="14" '
                     f'fill="{colour}"><title>{escape(name)}: AUC {_f(a)}</title></rect>')
        if m.get("auc_low") is not None:
            lo, hi = x(m["auc_low"]), x(m["auc_high"])
            parts.append(f'<line x1="{lo:.1f}" y1="{y + 10}" x2="{hi:.1f}" y2="{y + 10}" stroke="#1a202c" '
                         f'stroke-width="1.5"/><line x1="{lo:.1f}" y1="{y + 5}" x2="{lo:.1f}" y2="{y + 15}" '
                         f'stroke="#1a202c"/><line x1="{hi:.1f}" y1="{y + 5}" x2="{hi:.1f}" y2="{y + 15}" '
                         f'stroke="#1a202c"/>')
        parts.append(f'<text x="{W - RIGHT + 6}" y="{y + 13}">{_f(a)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _table(rows: list[list[str]], head: list[str]) -> str:
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def model_rows(models: dict[str, dict[str, Any]]) -> list[list[str]]:
    return [[n, _f(m["auc"]), f"{_f(m['auc_low'])}–{_f(m['auc_high'])}" if m["auc_low"] is not None else "",
             _f(m["pr_auc"]), _f(m["precision_at_k"], 2),
             _f(m.get("delta_pes")) if "delta_pes" in m else "", str(m["n"])] for n, m in models.items()]


def render(result: dict[str, Any], workspace: str = "") -> str:
    t = i18n.t
    head = [t("evaluate.col.model"), "AUC", t("evaluate.col.ci"), "PR-AUC", f"P@{result['k']}",
            t("evaluate.col.delta"), "n"]
    summary = t("evaluate.summary", label=result["label"], horizon=result["horizon_weeks"], n=result["n_panel"],
                people=result["n_people"], cutoffs=len(result["cutoffs"]),
                rate=_f(result["base_rate"]) if result["base_rate"] is not None else "–")
    body = [f"<h1>{escape(t('evaluate.title'))}</h1>", f"<p>{escape(workspace)}</p>", f"<p>{escape(summary)}</p>"]
    for note in result["notes"]:
        body.append(f"<p class=note>{escape(note)}</p>")
    if result["models"]:
        body.append(chart(result["models"], t("evaluate.chart")))
        body.append(_table(model_rows(result["models"]), head))
        desc = [[n, m.get("description", "")] for n, m in result["models"].items()]
        body.append(_table(desc, [t("evaluate.col.model"), t("evaluate.col.what")]))
    for name, s in result["strata"].items():
        body.append(f"<h2>{escape(t('evaluate.stratum.' + name))} "
                    f"(n = {s['n']}, {escape(t('evaluate.col.base_rate'))} {_f(s['base_rate'])})</h2>")
        if s["models"]:
            body.append(_table(model_rows(s["models"]), head))
        else:
            body.append(f"<p>{escape(t('evaluate.stratum_small'))}</p>")
    if "sweep" in result:
        body.append(f"<h2>{escape(t('evaluate.sweep'))}</h2>")
        body.append(_table(sweep_rows(result["sweep"]), sweep_head()))
        body.append(_table(verdict_rows(result["sweep"]), verdict_head()))
    css = ("body{font-family:sans-serif;max-width:56em;margin:2em auto;color:#1a202c}"
           "table{border-collapse:collapse;margin:1em 0}td,th{border-bottom:1px solid #e2e8f0;"
           "padding:.25em .6em;text-align:right}td:first-child,th:first-child{text-align:left}.note{color:#975a16}")
    return (f'<!doctype html><html lang="{i18n.get_lang()}"><head><meta charset="utf-8">'
            f"<title>{escape(t('evaluate.title'))}</title><style>{css}</style></head><body>"
            + "".join(body) + "</body></html>\n")


def sweep_head() -> list[str]:
    return ["h online", "h offline", "k ×", "AUC", i18n.t("evaluate.col.ci"), i18n.t("evaluate.col.delta_current")]


def sweep_rows(sw: dict[str, Any]) -> list[list[str]]:
    return [[f"{r['half_life_online']:g}", f"{r['half_life_offline']:g}", f"{r['k_multiplier']:g}"
             + (" *" if r["current"] else ""), _f(r["auc"]),
             f"{_f(r['auc_low'])}–{_f(r['auc_high'])}" if r["auc_low"] is not None else "",
             "" if r["current"] else f"{_f(r['delta'])} ({_f(r['delta_low'])}…{_f(r['delta_high'])})"]
            for r in sw["settings"]]


def verdict_head() -> list[str]:
    t = i18n.t
    return [t("evaluate.col.setting"), t("evaluate.col.current"), t("evaluate.col.best"), t("evaluate.col.gain"),
            t("evaluate.col.half_width"), t("evaluate.col.verdict")]


def verdict_rows(sw: dict[str, Any]) -> list[list[str]]:
    t = i18n.t
    return [[v["setting"], f"{v['current']:g}", f"{v['best']:g}", _f(v["gain"]), _f(v["half_width"]),
             t("evaluate.keep") if v["supported"] else t("evaluate.change")] for v in sw["verdicts"]]
