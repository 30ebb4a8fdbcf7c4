"""A self-contained HTML report: summary, chart of the top rules, filters, and per child a journey
timeline of episodes with the errors marked where they occur.

One file, no network: styles, script and data are inline, and a Content-Security-Policy forbids
fetching anything. Data is embedded as JSON (with "<" escaped) and written into the page with
textContent only, so nothing from the return can become markup or script.
"""
from __future__ import annotations

import html
import json

import pandas as pd

from ..fixhints import how_to_fix
from ..report import Report
from ..suggestions import describe
from .safety import json_document, xml_document

MAX_CHILD_CARDS = 2000  # beyond this the page gets slow; the error table still lists everything


def _esc(text) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def _json(data) -> str:
    return json_document(json.dumps(data, ensure_ascii=False, default=str)).replace("<", "\\u003c").replace(">", "\\u003e") \
        .replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _bar_chart(by_rule: pd.DataFrame, top: int = 15) -> str:
    rows = by_rule.head(top)
    if rows.empty:
        return "<p>No errors.</p>"
    width, bar_h, label_w = 760, 22, 70
    peak = max(int(rows["errors"].max()), 1)
    height = len(rows) * bar_h + 10
    parts = [f'<svg class="chart" role="img" aria-label="Errors per rule" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}">']
    for i, r in enumerate(rows.itertuples(index=False)):
        w = max(2, int((width - label_w - 60) * int(r.errors) / peak))
        y = i * bar_h + 5
        parts.append(f'<text x="0" y="{y + 15}" class="lbl">{_esc(r.rule)}</text>'
                     f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h - 6}" class="bar">'
                     f'<title>{_esc(r.rule)}: {_esc(r.message)}</title></rect>'
                     f'<text x="{label_w + w + 6}" y="{y + 15}" class="num">{int(r.errors)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _notices(report: Report) -> str:
    """Run alerts first and impossible to miss; the other warnings one click away."""
    parts = []
    if report.alerts:
        items = "".join(f"<li>{_esc(a)}</li>" for a in report.alerts)
        n = len(report.alerts)
        parts.append(f'<section class="alerts" role="alert" id="alerts"><h2>Check before using this report '
                     f'({n} alert{"s" if n != 1 else ""})</h2><ul>{items}</ul></section>')
    others = [w for w in report.notes if w not in report.alerts]
    if others:
        items = "".join(f"<li>{_esc(w)}</li>" for w in others)
        parts.append(f'<details class="warnings" id="warnings"><summary>{len(others)} other warning'
                     f'{"s" if len(others) != 1 else ""} about the input</summary><ul>{items}</ul></details>')
    return "\n".join(parts)


def write_html(report: Report, stream) -> None:
    meta = report.info
    recs = report.records
    hints = {r.code: how_to_fix(r, meta.year.label) for r in report.result.rules_run}
    errors = []
    for r in recs.to_dict("records"):
        date = None
        if r["locator"]:
            parsed = pd.to_datetime(r["locator"].split(" ", 1)[-1], format="%d/%m/%Y", errors="coerce")
            date = None if pd.isna(parsed) else parsed.strftime("%Y-%m-%d")
        errors.append({"rule": r["rule"], "message": r["message"], "category": r["category"], "child": r["child"],
                       "sw": r["social_worker"], "where": r["locator"] or r["table"], "table": r["table"],
                       "year": r["year"], "file": r["file"], "line": int(r["line"]), "date": date,
                       "values": "; ".join(f"{k}={'' if v is None else v}" for k, v in r["values"].items()),
                       "fix": hints.get(r["rule"], ""), "suggestion": describe(r.get("suggestion"))})
    by_child = report.by_child()
    children = [c for c in by_child["child"].head(MAX_CHILD_CARDS)] if len(by_child) else []
    # Taken from the tables with the report, before it was pseudonymised (app/validate.py).
    timelines = report.timelines or {}
    sws = sorted({e["sw"] for e in errors if e["sw"] is not None})
    data = {"year": meta.year.label, "start": meta.year.start.strftime("%Y-%m-%d"),
            "end": meta.year.end.strftime("%Y-%m-%d"), "errors": errors, "children": children,
            "journeys": {c: timelines[c] for c in children if c in timelines},
            "workers": {sw: report.worker_label(sw) for sw in sws}, "truncated": len(by_child) > MAX_CHILD_CARDS}
    by_rule = report.by_rule()
    by_cat = report.by_category()
    la = meta.la.describe() if meta.la else "LA not given"
    cat_rows = "".join(f"<tr><td>{_esc(r.category)}</td><td class='n'>{int(r.errors)}</td><td class='n'>{int(r.rules)}</td></tr>"
                       for r in by_cat.itertuples(index=False))
    not_run = "".join(f"<li><b>{_esc(c)}</b>: {_esc(w)}</li>" for c, w in report.result.not_run)
    page = TEMPLATE.format(notices=_notices(report),
        title=_esc(f"903 validation {meta.year.label}"), la=_esc(la), year=_esc(meta.year.label),
        n_errors=len(recs), n_children=int(recs["child"].nunique()) if len(recs) else 0,
        n_rules=len(report.result.rules_run), chart=_bar_chart(by_rule), cat_rows=cat_rows,
        not_run=not_run or "<li>none</li>", n_not_run=len(report.result.not_run), data=_json(data))
    stream.write(xml_document(page))  # control characters and undecodable file-name bytes made visible


TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, Segoe UI, Arial, sans-serif; margin: 1.5em; color: #1b1b1b; }}
h1 {{ font-size: 1.5em; }} h2 {{ font-size: 1.2em; margin-top: 1.5em; }}
.cards {{ display: flex; gap: 1em; flex-wrap: wrap; }}
.card {{ background: #f3f6f9; border-radius: 6px; padding: .6em 1em; }}
.card b {{ font-size: 1.4em; display: block; }}
table {{ border-collapse: collapse; font-size: .9em; }}
#errors {{ width: 100%; }}
th, td {{ border-bottom: 1px solid #ddd; padding: .25em .5em; text-align: left; vertical-align: top; overflow-wrap: break-word; }}
td.id {{ white-space: nowrap; }}
td.any {{ overflow-wrap: anywhere; min-width: 6em; }}
.alerts {{ background: #fde8e8; border: 2px solid #a00; border-radius: 6px; padding: .4em 1em; margin: 1em 0; }}
.alerts h2 {{ color: #a00; margin: .3em 0; font-size: 1.15em; }}
.alerts li {{ font-weight: 600; margin: .2em 0; }}
.warnings {{ background: #fff8e1; border-radius: 6px; padding: .4em 1em; margin: 1em 0; }}
.warnings summary {{ cursor: pointer; }}
svg.chart, svg.timeline {{ max-width: 100%; height: auto; }}
th {{ background: #1f4e78; color: #fff; position: sticky; top: 0; }}
td.n {{ text-align: right; }}
.chart .bar {{ fill: #1f4e78; }} .chart .lbl, .chart .num {{ font-size: 12px; }}
.filters {{ display: flex; gap: .8em; flex-wrap: wrap; align-items: end; background: #f3f6f9; padding: .6em; border-radius: 6px; }}
.filters label {{ display: flex; flex-direction: column; font-size: .85em; }}
.child {{ border: 1px solid #ccd; border-radius: 6px; margin: .8em 0; padding: .5em .8em; }}
.child h3 {{ margin: .2em 0; font-size: 1em; }}
.timeline text {{ font-size: 10px; }}
.err {{ color: #a00; }}
.hidden {{ display: none; }}
</style>
</head>
<body>
<h1>SSDA903 validation, {year}</h1>
<p>{la}</p>
{notices}
<div class="cards">
  <div class="card"><b id="n-errors">{n_errors}</b>errors</div>
  <div class="card"><b>{n_children}</b>children with errors</div>
  <div class="card"><b>{n_rules}</b>rules run</div>
  <div class="card"><b>{n_not_run}</b>rules not run</div>
</div>
<h2>Top rules</h2>
{chart}
<h2>By category</h2>
<table><tr><th>Category</th><th>Errors</th><th>Rules</th></tr>{cat_rows}</table>
<h2>Errors</h2>
<div class="filters">
  <label>Rule <select id="f-rule"><option value="">all</option></select></label>
  <label>Category <select id="f-category"><option value="">all</option></select></label>
  <label>Social worker <select id="f-sw"><option value="">all</option></select></label>
  <label>Child <input id="f-child" type="search" placeholder="child ID"></label>
  <span id="shown"></span>
</div>
<table id="errors"><colgroup><col style="width:7%"><col style="width:5%"><col style="width:21%"><col style="width:21%"><col style="width:9%"><col style="width:9%"><col style="width:8%"><col style="width:9%"><col style="width:11%"></colgroup><thead><tr><th>Child</th><th>Rule</th><th>Message</th><th>How to fix</th><th>Where</th><th>Social worker</th><th>File:line</th><th>Values</th><th>Suggested correction</th></tr></thead><tbody></tbody></table>
<h2>Children's journeys</h2>
<p id="journey-note">Episodes this year and last year, coloured by legal status and labelled with the placement; red marks show where an error was found.</p>
<div id="children"></div>
<h2>Rules not run</h2>
<ul>{not_run}</ul>
<script type="application/json" id="report-data">{data}</script>
<script>
"use strict";
window.addEventListener("error", function (e) {{ document.body.setAttribute("data-js-error", String(e.message)); }});
(function () {{
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const el = (tag, text, cls) => {{ const e = document.createElement(tag); if (text !== undefined && text !== null) e.textContent = String(text); if (cls) e.className = cls; return e; }};
  const uniq = (xs) => Array.from(new Set(xs.filter(x => x !== null && x !== undefined))).sort();
  const fill = (id, values) => {{ const s = document.getElementById(id); values.forEach(v => {{ const o = el("option", v); o.value = v; s.appendChild(o); }}); }};
  fill("f-rule", uniq(data.errors.map(e => e.rule)));
  fill("f-category", uniq(data.errors.map(e => e.category)));
  const who = (sw) => (data.workers && data.workers[sw]) || sw;
  const fillWorkers = () => {{ const s = document.getElementById("f-sw"); uniq(data.errors.map(e => e.sw)).forEach(v => {{ const o = el("option", who(v)); o.value = v; s.appendChild(o); }}); }};
  fillWorkers();
  const fileName = (p) => String(p).split(/[\\\\/]/).pop();
  const tbody = document.querySelector("#errors tbody");
  const rows = data.errors.map(e => {{
    const tr = document.createElement("tr");
    // IDs and codes never break; file names and values may break anywhere, so the table fits the window.
    [[e.child, "id"], [e.rule, "id"], [e.message], [e.fix], [e.where], [who(e.sw)]].forEach(([v, cls]) => tr.appendChild(el("td", v, cls)));
    const at = el("td", fileName(e.file) + ":" + e.line, "any"); at.title = e.file; tr.appendChild(at);
    tr.appendChild(el("td", e.values, "any"));
    tr.appendChild(el("td", e.suggestion));
    tr.dataset.rule = e.rule; tr.dataset.category = e.category; tr.dataset.sw = e.sw; tr.dataset.child = e.child || "";
    tbody.appendChild(tr); return tr;
  }});
  const SVGNS = "http://www.w3.org/2000/svg";
  const svgEl = (tag, attrs, text) => {{ const e = document.createElementNS(SVGNS, tag); Object.keys(attrs).forEach(k => e.setAttribute(k, attrs[k])); if (text) e.textContent = text; return e; }};
  const colours = {{C1: "#4e79a7", C2: "#1f4e78", D1: "#9c755f", E1: "#59a14f", V2: "#f28e2b", V3: "#edc948", V4: "#e8b923", L1: "#b07aa1", L2: "#b07aa1", L3: "#b07aa1", J1: "#76b7b2", J2: "#76b7b2", J3: "#76b7b2"}};
  const day = (s) => Date.parse(s + "T00:00:00Z");
  const cards = {{}};
  const container = document.getElementById("children");
  data.children.forEach(child => {{
    const card = el("div", null, "child"); card.dataset.child = child || "";
    const errs = data.errors.filter(e => e.child === child);
    card.dataset.rules = "|" + uniq(errs.map(e => e.rule)).join("|") + "|";
    card.dataset.categories = "|" + uniq(errs.map(e => e.category)).join("|") + "|";
    card.dataset.sws = "|" + uniq(errs.map(e => e.sw)).join("|") + "|";
    card.appendChild(el("h3", "Child " + child + " (" + errs.length + " error" + (errs.length === 1 ? "" : "s") + ")"));
    const eps = (data.journeys[child] || []).filter(ep => ep.start);
    const lo = Math.min(day(data.start) - 365 * 864e5, ...eps.map(ep => day(ep.start)));
    const hi = day(data.end);
    const W = 900, H = 46, X = (t) => 10 + (W - 20) * (Math.min(Math.max(t, lo), hi) - lo) / (hi - lo || 1);
    const svg = svgEl("svg", {{class: "timeline", width: W, height: H, viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": "care journey of child " + child}});
    svg.appendChild(svgEl("line", {{x1: X(day(data.start)), x2: X(day(data.start)), y1: 0, y2: H, stroke: "#999", "stroke-dasharray": "3,3"}}));
    svg.appendChild(svgEl("text", {{x: X(day(data.start)) + 2, y: 44}}, "1 April"));
    eps.forEach(ep => {{
      const x1 = X(day(ep.start)), x2 = X(ep.end ? day(ep.end) : hi);
      const r = svgEl("rect", {{x: x1, y: 6, width: Math.max(2, x2 - x1), height: 18, fill: colours[ep.ls] || "#999", class: "episode"}});
      r.appendChild(svgEl("title", {{}}, (ep.year + ": " + ep.start + " to " + (ep.end || "open") + ", " + (ep.ls || "?") + " " + (ep.place || "?"))));
      svg.appendChild(r);
      if (x2 - x1 > 26) svg.appendChild(svgEl("text", {{x: x1 + 3, y: 19, fill: "#fff"}}, ep.place || ""));
    }});
    errs.filter(e => e.date).forEach(e => {{
      const x = X(day(e.date));
      const m = svgEl("path", {{d: "M" + x + " 26 l-5 9 h10 z", fill: "#c00", class: "error-mark"}});
      m.appendChild(svgEl("title", {{}}, e.rule + ": " + e.message));
      svg.appendChild(m);
    }});
    card.appendChild(svg);
    const ul = el("ul");
    errs.forEach(e => ul.appendChild(el("li", e.rule + " (" + e.where + "): " + e.message, "err")));
    card.appendChild(ul);
    container.appendChild(card); cards[child] = card;
  }});
  if (data.truncated) document.getElementById("journey-note").textContent += " Only the children with most errors are drawn.";
  const f = {{rule: document.getElementById("f-rule"), category: document.getElementById("f-category"), sw: document.getElementById("f-sw"), child: document.getElementById("f-child")}};
  function apply() {{
    const rule = f.rule.value, cat = f.category.value, sw = f.sw.value, child = f.child.value.trim().toUpperCase();
    let shown = 0;
    rows.forEach(tr => {{
      const ok = (!rule || tr.dataset.rule === rule) && (!cat || tr.dataset.category === cat) && (!sw || tr.dataset.sw === sw) && (!child || tr.dataset.child.toUpperCase().includes(child));
      tr.classList.toggle("hidden", !ok); if (ok) shown++;
    }});
    Object.values(cards).forEach(c => {{
      const ok = (!rule || c.dataset.rules.includes("|" + rule + "|")) && (!cat || c.dataset.categories.includes("|" + cat + "|")) && (!sw || c.dataset.sws.includes("|" + sw + "|")) && (!child || c.dataset.child.toUpperCase().includes(child));
      c.classList.toggle("hidden", !ok);
    }});
    document.getElementById("shown").textContent = shown + " of " + rows.length + " errors shown";
    document.body.setAttribute("data-shown", String(shown));
  }}
  Object.values(f).forEach(x => x.addEventListener("input", apply));
  // Filters can be set from the address, e.g. report.html#rule=501&sw=SW12, so a link opens a filtered view.
  new URLSearchParams(location.hash.slice(1)).forEach((v, k) => {{ if (f[k]) f[k].value = v; }});
  apply();
  document.body.setAttribute("data-ready", "1");
}})();
</script>
</body>
</html>
"""
