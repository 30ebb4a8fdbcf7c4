"""JUnit XML for CI systems: one test case per rule; a rule that flags rows fails.

Failures carry the error count and the first examples (child, table, file line, values), so a CI
page shows what to fix without opening the full report.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

from ..report import Report
from .safety import xml_document

EXAMPLES = 5


def write_junit(report: Report, stream) -> None:
    res = report.result
    recs = report.records
    by_rule = {code: grp for code, grp in recs.groupby("rule", sort=False)} if not recs.empty else {}
    failures = sum(1 for r in res.rules_run if r.code in by_rule)
    suites = ET.Element("testsuites", name="lac-validator")
    suite = ET.SubElement(suites, "testsuite", {
        "name": f"SSDA903 {report.info.year.label}",
        "tests": str(len(res.rules_run) + len(res.not_run) + len(res.internal_errors)),
        "failures": str(failures),
        "errors": str(len(res.internal_errors)),
        "skipped": str(len(res.not_run)),
        "time": f"{sum(v for k, v in res.timings.items() if not k.startswith('phase:')):.3f}",
    })
    for rule in res.rules_run:
        case = ET.SubElement(suite, "testcase", {"classname": f"903.{rule.category}", "name": f"{rule.code} {rule.message}",
                                                 "time": f"{res.timings.get(rule.code, 0.0):.3f}"})
        grp = by_rule.get(rule.code)
        if grp is not None:
            lines = [f"{len(grp)} error(s) for {grp['child'].nunique()} child(ren). First examples:"]
            for r in grp.head(EXAMPLES).to_dict("records"):
                vals = "; ".join(f"{k}={'' if v is None else v}" for k, v in r["values"].items())
                where = f"{r['table']} {r['locator']}" if r["locator"] else r["table"]
                lines.append(f"child {r['child']}, {where} ({r['file']}, line {r['line']}) {vals}".strip())
            failure = ET.SubElement(case, "failure", {"message": f"{len(grp)} error(s): {rule.message}", "type": rule.category})
            failure.text = "\n".join(lines)
    for code, why in res.not_run:
        case = ET.SubElement(suite, "testcase", {"classname": "903.not_run", "name": code})
        ET.SubElement(case, "skipped", {"message": why})
    for code, err in res.internal_errors:
        case = ET.SubElement(suite, "testcase", {"classname": "903.internal", "name": code})
        ET.SubElement(case, "error", {"message": err, "type": "internal"})
    ET.indent(suites)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(xml_document(ET.tostring(suites, encoding="unicode")))
    stream.write("\n")
