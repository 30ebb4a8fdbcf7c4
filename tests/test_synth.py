"""The synthetic return generator: shape, determinism and internal consistency of clean data."""
from __future__ import annotations

import pandas as pd
import pytest

from lac_validator.schema import load_schema
from lac_validator.devtools.synth import FILE_NAMES, generate, main, write_return

YEARS = ["2022_23", "2023_24", "2024_25", "2025_26", "2026_27"]
DATE_FIELDS = {  # every date column except PrevPerm.DATE_PERM, which may legally hold ZZ parts
    t.name: [c for c in t.date_columns if not (t.name == "PrevPerm" and c == "DATE_PERM")]
    for t in load_schema().tables.values()
}


def _prev(year: str) -> str:
    first = int(year[:4]) - 1
    return f"{first}_{(first + 1) % 100:02d}"


def _expected_tables(year: str) -> set[str]:
    key = max(year, "2022_23")  # last year of 2022_23 is read with 2022_23's layout
    return {t.name for t in load_schema().tables.values() if key >= t.since}


@pytest.fixture(scope="module")
def clean():
    return {y: generate(300, y, seed=7, error_rate=0.0) for y in YEARS}


def _d(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, format="%d/%m/%Y", errors="coerce")


def test_deterministic():
    a_cur, a_prev = generate(150, "2025_26", seed=11, error_rate=0.05)
    b_cur, b_prev = generate(150, "2025_26", seed=11, error_rate=0.05)
    for a, b in ((a_cur, b_cur), (a_prev, b_prev)):
        assert a.keys() == b.keys()
        for name in a:
            pd.testing.assert_frame_equal(a[name], b[name])
    c_cur, _ = generate(150, "2025_26", seed=12, error_rate=0.05)
    assert not a_cur["Episodes"].equals(c_cur["Episodes"])


@pytest.mark.parametrize("year", YEARS)
def test_tables_and_columns(clean, year):
    cur, prev = clean[year]
    assert set(cur) == _expected_tables(year)
    assert set(prev) == _expected_tables(_prev(year))
    schema = load_schema()
    for tables in (cur, prev):
        for name, df in tables.items():
            assert list(df.columns) == schema.tables[name].csv_columns, name
            assert all(df[c].map(lambda v: isinstance(v, str)).astype(bool).all() for c in df.columns), name
            assert not df.isna().any().any(), name
    assert ("SWEpisodes" in cur) == (year >= "2023_24")
    assert ("DoLo" in cur) == (year >= "2026_27")
    # this year's children: 300 looked after, plus care leavers without episodes
    assert cur["Episodes"]["CHILD"].nunique() == 300
    assert len(cur["OC3"]) > 0 and not cur["OC3"]["CHILD"].isin(cur["Episodes"]["CHILD"]).any()
    assert cur["Header"]["CHILD"].is_unique


@pytest.mark.parametrize("year", YEARS)
def test_dates_parse_and_codes_valid(clean, year):
    cur, prev = clean[year]
    schema = load_schema()
    for tables, key in ((cur, year), (prev, max(_prev(year), "2022_23"))):
        for name, df in tables.items():
            for col in DATE_FIELDS[name]:
                filled = df[col] != ""
                assert _d(df.loc[filled, col]).notna().all(), (name, col)
            for col, spec in schema.tables[name].fields.items():
                if spec.type == "code" and spec.codes and col in df.columns:
                    filled = df[col] != ""
                    bad = set(df.loc[filled, col]) - spec.codes_for(key)
                    assert not bad, (name, col, key, bad)


@pytest.mark.parametrize("year", YEARS)
def test_cross_year_consistency(clean, year):
    """Each child's first episode this year is last year's open episode (same DECOM and details)."""
    cur, prev = clean[year]
    e, p = cur["Episodes"].copy(), prev["Episodes"].copy()
    e["d"], p["d"] = _d(e["DECOM"]), _d(p["DECOM"])
    first = e.sort_values(["CHILD", "d"]).groupby("CHILD").head(1).set_index("CHILD")
    last = p.sort_values(["CHILD", "d"]).groupby("CHILD").tail(1).set_index("CHILD")
    open_last = last[last["DEC"] == ""]
    assert len(open_last) > 50
    assert open_last.index.isin(first.index).all()
    for col in ["DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "URN", "PL_POST", "HOME_POST"]:
        assert (first.loc[open_last.index, col] == open_last[col]).all(), col
    # children who started before 1 April appear last year
    start = pd.Timestamp(int(year[:4]), 4, 1)
    early = first[first["d"] < start]
    assert early.index.isin(p["CHILD"]).all()
    # a child's DOB, sex-independent details agree between the years
    h, hp = cur["Header"].set_index("CHILD"), prev["Header"].set_index("CHILD")
    both = h.index.intersection(hp.index)
    assert len(both) > 50
    for col in ["DOB", "ETHNIC", "UPN"]:
        assert (h.loc[both, col] == hp.loc[both, col]).all(), col


@pytest.mark.parametrize("year", YEARS)
def test_clean_timelines(clean, year):
    cur, _ = clean[year]
    e = cur["Episodes"].copy()
    e["s"], e["e"] = _d(e["DECOM"]), _d(e["DEC"])
    e = e.sort_values(["CHILD", "s"], kind="stable")
    same = e["CHILD"].eq(e["CHILD"].shift())
    assert not (same & (e["s"] < e["e"].shift())).any(), "overlapping episodes"
    assert not (same & (e["DECOM"] != e["DEC"].shift())).any(), "gap inside a period of care"
    assert (e["s"] < e["e"]).where(e["DEC"] != "", True).all(), "episode shorter than a day"
    assert (e.loc[~same, "RNE"] .where(e.loc[~same, "s"] >= pd.Timestamp(int(year[:4]), 4, 1), "S") == "S").all()
    assert set(e.loc[same, "RNE"]) <= set("PLTUB")
    nxt = e["CHILD"].eq(e["CHILD"].shift(-1))
    assert (e.loc[nxt, "REC"] == "X1").all() and not (e.loc[~nxt, "REC"] == "X1").any()
    assert ((e["DEC"] == "") == (e["REC"] == "")).all()
    moves = nxt & e["RNE"].shift(-1).isin(list("PBTU"))
    assert (e.loc[moves, "REASON_PLACE_CHANGE"] != "").all()
    assert (e.loc[~moves, "REASON_PLACE_CHANGE"] == "").all()
    assert set(e.loc[e["REC"].isin(["E11", "E12"]), "CHILD"]) == set(cur["AD1"]["CHILD"])


def test_errors_injected():
    clean_cur, _ = generate(500, "2024_25", seed=3, error_rate=0.0)
    dirty_cur, dirty_prev = generate(500, "2024_25", seed=3, error_rate=0.05)
    changed = set()
    for name, df in clean_cur.items():
        diff = (df != dirty_cur[name]).any(axis=1)
        changed |= set(df.loc[diff, "CHILD"])
    assert 8 <= len(changed) <= 50  # ~25 expected
    _, clean_prev = generate(500, "2024_25", seed=3, error_rate=0.0)
    for name in clean_prev:
        pd.testing.assert_frame_equal(clean_prev[name], dirty_prev[name])


def test_write_return_and_cli(tmp_path):
    cur, _ = generate(40, "2026_27", seed=1, error_rate=0.0)
    paths = write_return(cur, tmp_path / "x")
    assert {p.name for p in paths} == {FILE_NAMES[n] for n in cur}
    back = pd.read_csv(tmp_path / "x" / "episodes.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(back, cur["Episodes"])
    assert main(["--children", "30", "--year", "2023-24", "--seed", "5", "--error-rate", "0",
                 "--out", str(tmp_path / "cli")]) == 0
    assert (tmp_path / "cli" / "current" / "sw_episodes.csv").exists()
    assert (tmp_path / "cli" / "previous" / "header.csv").exists()
    assert not (tmp_path / "cli" / "previous" / "sw_episodes.csv").exists()


def test_large_generation():
    cur, prev = generate(20_000, "2025_26", seed=903, error_rate=0.01)
    assert cur["Episodes"]["CHILD"].nunique() == 20_000
    assert len(cur["Header"]) > 20_000 and len(prev["Episodes"]) > 10_000
