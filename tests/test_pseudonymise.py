"""--pseudonymise makes every output safe to share: no identifying input value in any byte.

The return below carries distinctive identifying values (child IDs, UPNs, dates of birth and the
date derived from one, home and placement postcodes, a URN, a social worker ID and name, free text
typed into code and date fields, a baseline explanation) and every output format is searched for
each of them.
"""
from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from cli_run import run_cli

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPIS = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"

# What must never appear in a pseudonymised output (compared case-insensitively: the loader upper-cases).
IDENTIFYING = [
    "QX4417", "QX4418", "QX9999", "QX9997",             # CHILD (QX999x only in the baseline)
    "A123456789012",                                    # UPN
    "17/03/2011", "2011-03-17", "23/09/2016", "2016-09-23",  # DOB (as written and as ISO)
    "05/06/2015", "2015-06-05",                         # MC_DOB
    "18/03/2029", "2029-03-18",                         # DUC (the day after the 18th birthday)
    "B42 1AB", "B421AB", "M14 5TQ", "M145TQ", "42 1AB", "14 5TQ",  # postcodes (the district may stay)
    "SC123456",                                         # URN
    "SWQ7781", "Zoë", "Brien",                          # social worker ID and name
    "JANE DOE", "MARYBELLE", "GRANNY", "unknown see",          # free text typed into code / date fields
    "Fairweather", "Ms Pennyworth",                     # baseline explanation and who
]


@pytest.fixture
def identifying_return(tmp_path):
    cur = tmp_path / "in" / "current"
    cur.mkdir(parents=True)
    (cur / "header.csv").write_text(
        HEADER + "QX4417,X,17/03/2011,WBRI,A123456789012,,\n"               # 101; the UPN twice: 444
                 "QX4418,F,23/09/2016,WBRI,A123456789012,1,05/06/2015\n",     # a mother aged 8, younger than her child: 620, 621
        encoding="utf-8")
    (cur / "episodes.csv").write_text(
        EPIS + "QX4417,01/04/2025,S,C2,N1,U1,PR1,01/06/2025,X1,,B42 1AB,M14 5TQ,SC123456\n"
               "QX4417,01/05/2025,P,C2,N1,U4,GRANNY,unknown see notes,X1,JANE DOE,B42 1AB,M14 5TQ,SC123456\n"
               "QX4418,12/06/2025,S,V3,N1,U1,PR1,,,,B42 1AB,M14 5TQ,SC123456\n",  # V3 with postcodes, URN: 214, 398
        encoding="utf-8")
    (cur / "uasc.csv").write_text("CHILD,SEX,DOB,DUC\nQX4417,M,17/03/2011,18/03/2029\n", encoding="utf-8")  # 304
    (cur / "reviews.csv").write_text("CHILD,DOB,REVIEW,REVIEW_CODE\nQX4417,17/03/2011,12/05/2025,SEE NOTES MARYBELLE\n",
                                     encoding="utf-8")
    (cur / "sw.csv").write_text("CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON\n"
                                "QX4417,17/03/2011,SWQ7781,01/03/2025,,\n", encoding="utf-8")
    (tmp_path / "workers.csv").write_text("SW_ID,Name,Team\nSWQ7781,Zoë O'Brien,North\n", encoding="utf-8")
    (tmp_path / "baseline.yaml").write_text(
        "accepted:\n"
        "  - {rule: '101', child: QX4417, explanation: 'Agreed with Mrs Fairweather', who: Ms Pennyworth}\n"
        "  - {rule: '102', child: QX9999, explanation: 'Fairweather said so', who: Ms Pennyworth}\n"   # stale
        "  - {rule: '9999', child: QX9997, explanation: 'TODO', who: Ms Pennyworth}\n", encoding="utf-8")  # no such rule
    return tmp_path


def _texts(path: Path):
    """Every text a person or program could read from an output: files (a workbook's XML parts
    one by one) and the names of the files themselves."""
    paths = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for p in paths:
        yield f"{p.name} (file name)", p.name
        if p.suffix == ".xlsx":
            with zipfile.ZipFile(p) as z:
                for name in z.namelist():
                    yield f"{p.name}:{name}", z.read(name).decode("utf-8", "replace")
        else:
            yield p.name, p.read_bytes().decode("utf-8", "replace")


def _leaks(text: str) -> list[str]:
    low = text.lower()
    return [v for v in IDENTIFYING if v.lower() in low]


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx", "html", "junit", "text", "split"])
def test_pseudonymised_outputs_hold_no_identifying_value(identifying_return, fmt, capsys, monkeypatch):
    base = identifying_return
    out = base / "out" / ("split" if fmt == "split" else f"report.{fmt}")
    out.parent.mkdir()
    args = ["validate", base / "in" / "current", "--year", "2025-26", "--la", "E08000007",
            "--social-workers", base / "workers.csv", "--baseline", base / "baseline.yaml",
            "--pseudonymise", "--salt", "test-salt", "-o", out]
    args += ["-f", "xlsx", "--split-by", "social-worker"] if fmt == "split" else ["-f", fmt]
    code, stdout, stderr = run_cli(args, capsys, monkeypatch)
    assert code == 1, stderr
    texts = list(_texts(out)) + [("terminal", stdout + stderr)]
    assert len(texts) >= 2
    for where, text in texts:
        assert not _leaks(text), f"{where} holds {_leaks(text)}"
    # ... and the report is still useful: pseudonyms, the rules, the postcode district
    everything = "\n".join(t for _, t in texts)
    assert re.search(r"C-[0-9a-f]{12}", everything)
    assert "501" in everything


def test_the_identifying_values_do_reach_an_ordinary_report(identifying_return, capsys, monkeypatch):
    """The search above can fail: without --pseudonymise the same run shows these values."""
    base = identifying_return
    out = base / "plain.json"
    code, _, err = run_cli(["validate", base / "in" / "current", "--year", "2025-26", "--la", "E08000007",
                            "--social-workers", base / "workers.csv", "--baseline", base / "baseline.yaml",
                            "-f", "json", "-o", out], capsys, monkeypatch)
    assert code == 1, err
    leaks = set(_leaks(out.read_text(encoding="utf-8")))
    assert {"QX4417", "QX4418", "QX9999", "QX9997", "A123456789012", "23/09/2016", "05/06/2015", "18/03/2029", "B42 1AB",
            "M14 5TQ", "SC123456", "SWQ7781", "JANE DOE", "MARYBELLE", "GRANNY", "unknown see", "Fairweather"} <= leaks


def test_what_a_pseudonymised_report_keeps(identifying_return, capsys, monkeypatch):
    base = identifying_return
    out = base / "p.json"
    run_cli(["validate", base / "in" / "current", "--year", "2025-26", "--la", "E08000007", "-f", "json", "-o", out,
             "--pseudonymise", "--salt", "s"], capsys, monkeypatch)
    doc = json.loads(out.read_text(encoding="utf-8"))
    errs = doc["errors"]
    values = {(e["rule"], k): v for e in errs for k, v in e["values"].items()}
    children = {e["child"] for e in errs}
    assert all(re.fullmatch(r"C-[0-9a-f]{12}", c) for c in children) and len(children) == 2
    assert values[("384", "LS")] == "V3"                      # a valid code stays
    assert values[("101", "SEX")] == "(removed: not a valid code)"   # anything else could be free text
    if ("102", "DOB") in values:
        assert values[("102", "DOB")] == "(removed)"
    postcodes = {v for (_, k), v in values.items() if k in ("HOME_POST", "PL_POST")}
    assert postcodes <= {"B42", "M14"}                        # the district is all that is left
    free = {v for (_, k), v in values.items() if k in ("REASON_PLACE_CHANGE", "PLACE_PROVIDER", "REVIEW_CODE")}
    assert free and free <= {"(removed: not a valid code)", "PR1", None}
    locators = {e["locator"] for e in errs if e["locator"]}
    assert "DECOM 01/05/2025" in locators                     # episode dates stay (not derived from a DOB)
    assert all(Path(f).name == f for f in doc["inputs"]["current"])   # folders can name people
    assert all(e["file"] == Path(e["file"]).name for e in errs)
    # the same salt gives the same pseudonyms: runs can still be compared
    out2 = base / "p2.json"
    run_cli(["validate", base / "in" / "current", "--year", "2025-26", "--la", "E08000007", "-f", "json", "-o", out2,
             "--pseudonymise", "--salt", "s"], capsys, monkeypatch)
    assert [e["key"] for e in json.loads(out2.read_text(encoding="utf-8"))["errors"]] == [e["key"] for e in errs]


def test_pseudonymised_html_keeps_the_timelines(identifying_return, capsys, monkeypatch):
    base = identifying_return
    plain, pseudo = base / "plain.html", base / "pseudo.html"
    for out, extra in ((plain, []), (pseudo, ["--pseudonymise", "--salt", "s"])):
        code, _, err = run_cli(["validate", base / "in" / "current", "--year", "2025-26", "-f", "html", "-o", out,
                                *extra], capsys, monkeypatch)
        assert code == 1, err

    def journeys(path):
        text = path.read_text(encoding="utf-8")
        data = json.loads(re.search(r'<script type="application/json" id="report-data">(.*?)</script>', text, re.S).group(1))
        return data["children"], data["journeys"]

    children, tl = journeys(pseudo)
    plain_children, plain_tl = journeys(plain)
    assert sum(len(v) for v in plain_tl.values()) == 3
    assert all(c.startswith("C-") for c in children)
    # every episode of every child is still drawn, under the pseudonym
    assert sorted(len(tl[c]) for c in children if c in tl) == sorted(len(plain_tl[c]) for c in plain_children if c in plain_tl)
    assert sum(len(v) for v in tl.values()) == 3
    assert {ep["place"] for v in tl.values() for ep in v} == {"U1", "U4"}
