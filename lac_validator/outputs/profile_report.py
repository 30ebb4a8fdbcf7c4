"""The cross-council comparison as a workbook (with a chart) or a self-contained HTML page."""
from __future__ import annotations

import html
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from .safety import safe_cell, xml_document

COLUMNS = ["rule", "category", "ours_errors", "ours_rate", "peers_median", "peers_best", "peers_with_zero", "peers", "gap"]
TITLES = ["Rule", "Category", "Our errors", "Our rate /100", "Peers' median /100", "Best /100", "Peers with zero",
          "Peers", "Gap to median"]


def write_comparison(result, ours: dict, peers: list[dict], path: Path) -> None:
    path = Path(path)
    if path.suffix.lower() == ".html":
        path.write_text(xml_document(_html(result, ours, peers)), encoding="utf-8")
        return
    wb = Workbook()
    ws = wb.active
    ws.title = "Comparison"
    ws.append(TITLES)
    for r in result.rows:
        ws.append([safe_cell(r[c]) if isinstance(r[c], str) else r[c] for c in COLUMNS])
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:I{len(result.rows) + 1}"
    top = min(15, len(result.rows))
    if top:
        chart = BarChart()
        chart.title = "Our rate against the peers' median (worst 15)"
        chart.add_data(Reference(ws, min_col=4, max_col=5, min_row=1, max_row=top + 1), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=top + 1))
        chart.width, chart.height = 22, 10
        ws.add_chart(chart, "K2")
    el = wb.create_sheet("Eliminated by all others")
    el.append(["Rule"])
    for code in result.eliminated_by_all:
        el.append([safe_cell(code)])
    notes = wb.create_sheet("About")
    notes.append(["Our profile", safe_cell(f"{ours.get('la_name') or ours.get('la') or '?'} {ours['collection_year']}")])
    notes.append(["Peers", len(peers)])
    for n in result.notes:
        notes.append(["Note", safe_cell(n)])
    wb.save(path)


def _html(result, ours, peers) -> str:
    esc = lambda v: html.escape("-" if v is None else str(v))  # noqa: E731
    rows = "".join("<tr>" + "".join(f"<td>{esc(r[c])}</td>" for c in COLUMNS) + "</tr>" for r in result.rows)
    bars = []
    worst = [r for r in result.rows if r["ours_rate"] is not None][:15]
    peak = max([max(r["ours_rate"] or 0, r["peers_median"] or 0) for r in worst] + [1])
    for i, r in enumerate(worst):
        y = i * 26 + 5
        w1 = int(500 * (r["ours_rate"] or 0) / peak)
        w2 = int(500 * (r["peers_median"] or 0) / peak)
        bars.append(f'<text x="0" y="{y + 14}">{esc(r["rule"])}</text><rect x="70" y="{y}" width="{w1}" height="10" fill="#c0392b"/>'
                    f'<rect x="70" y="{y + 11}" width="{w2}" height="10" fill="#1f4e78"/>')
    svg = f'<svg width="640" height="{len(worst) * 26 + 10}" role="img" aria-label="our rate and peers median">{"".join(bars)}</svg>'
    notes = "".join(f"<p>{esc(n)}</p>" for n in result.notes)
    elim = ", ".join(esc(c) for c in result.eliminated_by_all) or "none"
    head = "".join(f"<th>{esc(t)}</th>" for t in TITLES)
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
            f"<title>903 error profile comparison</title><style>body{{font-family:system-ui,Arial;margin:1.5em}}"
            f"td,th{{border-bottom:1px solid #ddd;padding:.2em .5em}}</style></head><body>"
            f"<h1>Error profile: {esc(ours.get('la_name') or ours.get('la'))} {esc(ours['collection_year'])} against {len(peers)} councils</h1>"
            f"{notes}<p>Red: our rate per 100 children; blue: the peers' median.</p>{svg}"
            f"<h2>Rules every other council has eliminated</h2><p>{elim}</p>"
            f"<h2>All shared rules, worst first</h2><table><tr>{head}</tr>{rows}</table></body></html>")
