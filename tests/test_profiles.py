"""Anonymised profiles: nothing identifying inside, suppression at the boundary, ranking."""
from __future__ import annotations

import json

import openpyxl
from click.testing import CliRunner

from lac_validator.cli import main
from lac_validator.profiles import compare, same_version

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
SW = "CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON\n"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def make_return(folder, bad: int, total: int = 20):
    folder.mkdir()
    rows = [f"CH{i:04d},{'X' if i < bad else 'M'},0{1 + i % 9}/02/2011,WBRI,,," for i in range(total)]
    (folder / "header.csv").write_text(HEADER + "\n".join(rows) + "\n")
    (folder / "sw.csv").write_text(SW + "".join(f"CH{i:04d},01/02/2011,SWQ{i:03d},01/04/2025,,\n" for i in range(total)))


def test_profile_holds_nothing_identifying_and_suppresses_small_counts(tmp_path):
    for bad in (0, 4, 5):
        src = tmp_path / f"r{bad}"
        make_return(src, bad)
        out = tmp_path / f"p{bad}.json"
        r = run("profile", src, "--year", "2025-26", "--la", "356", "--select", "101", "-o", out)
        assert r.exit_code == 0, r.output
        text = out.read_text()
        doc = json.loads(text)
        for i in range(20):
            assert f"CH{i:04d}" not in text and f"SWQ{i:03d}" not in text
        assert "2011" not in text and "01/04/2025" not in text
        assert doc["children"] == 20 and doc["la"] == "356" and doc["collection_year"] == "2025-26"
        entry = doc["rules"]["101"]
        if bad == 0:
            assert entry["errors"] == 0 and entry["rate_per_100"] == 0.0
        elif bad == 4:
            assert entry["errors"] == "<5" and entry["rate_per_100"] is None
        else:
            assert entry["errors"] == 5 and entry["rate_per_100"] == 25.0


def _profile(year, rules):
    return {"profile_version": 1, "collection_year": year, "la": "x", "children": 100,
            "rules": {code: {"version": v, "category": "c", "errors": e, "rate_per_100": r} for code, (v, e, r) in rules.items()}}


def test_comparison_ranks_and_finds_rules_others_eliminated():
    ours = _profile("2025-26", {"101": ("101:a", 10, 10.0), "102": ("102:a", 6, 6.0), "103": ("103:a", 0, 0.0),
                                "104": ("104:a", "<5", None), "105": ("105:old", 9, 9.0)})
    a = _profile("2025-26", {"101": ("101:a", 0, 0.0), "102": ("102:a", 8, 8.0), "103": ("103:a", 0, 0.0),
                             "104": ("104:a", 0, 0.0), "105": ("105:new", 0, 0.0)})
    b = _profile("2024-25", {"101": ("101:a", 0, 0.0), "102": ("102:a", 5, 5.0), "104": ("104:a", 0, 0.0)})
    c = compare(ours, [a, b])
    assert [r["rule"] for r in c.rows] == ["101", "103", "102", "104"]  # gaps 10, 0, 6 - 6.5; 104 unknown (suppressed)
    assert c.rows[0]["peers_with_zero"] == 2 and c.rows[0]["peers_median"] == 0.0
    assert c.eliminated_by_all == ["101", "104"]                # 105 is a different rule version: not compared
    assert all(r["rule"] != "105" for r in c.rows)
    assert any("several collection years" in n for n in c.notes)


def test_compare_command_outputs(tmp_path):
    paths = []
    for i, (bad, total) in enumerate([(6, 20), (0, 20), (5, 40)]):
        src = tmp_path / f"r{i}"
        make_return(src, bad, total)
        out = tmp_path / f"p{i}.json"
        assert run("profile", src, "--year", "2025-26", "--select", "101", "-o", out).exit_code == 0
        paths.append(out)
    r = run("compare-profiles", *paths, "-o", tmp_path / "c.xlsx")
    assert r.exit_code == 0, r.output
    assert "101" in r.output
    wb = openpyxl.load_workbook(tmp_path / "c.xlsx")
    assert wb["Comparison"]["A2"].value == "101"
    r = run("compare-profiles", *paths, "-o", tmp_path / "c.html")
    assert r.exit_code == 0 and "<svg" in (tmp_path / "c.html").read_text()
    (tmp_path / "bad.json").write_text("{}")
    assert run("compare-profiles", paths[0], tmp_path / "bad.json").exit_code == 2


def test_a_new_collection_year_keeps_versions_comparable():
    """A version still in force gains the new year (2025_26..2026_27 becomes 2025_26..2027_28): the
    same version; another first year is another version."""
    assert same_version("146:2025_26..2026_27", "146:2025_26..2027_28")
    assert not same_version("146:2024_25..2024_25", "146:2025_26..2026_27")
    ours = _profile("2027-28", {"146": ("146:2025_26..2027_28", 10, 10.0)})
    peer = _profile("2026-27", {"146": ("146:2025_26..2026_27", 0, 0.0)})
    assert [r["rule"] for r in compare(ours, [peer]).rows] == ["146"]
