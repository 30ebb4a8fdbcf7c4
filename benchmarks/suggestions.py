"""How good are the suggested corrections? Precision and recall on generated returns whose
deliberate mistakes have a known true value.

    python benchmarks/suggestions.py                         # 2,000 children, seeds 903-905
    python benchmarks/suggestions.py --children 1000 --seeds 1,2 --rate 0.2 --markdown table.md

For each seed it generates this year's and last year's return with lac_validator.devtools.synth (its
deliberate mistakes, about `--rate` of the children, plus the further kinds below unless
`--generator-only`), keeps the true value of every mistake in a side file (truth.csv beside the
return, never in it), validates the return as `lac-validator validate` does and reads each error's
suggestion. Per kind of mistake it reports how many mistakes a rule flagged, how many got a
suggested value, how many suggestions equal the true value (precision) and the fraction of all
mistakes that were correctly suggested (recall). A suggestion on a value that was not a
deliberate mistake counts as a wrong one (row "not a deliberate mistake").

The further kinds are mistakes the generator does not make, added here so that every kind of
evidence is exercised: a date of birth mistyped in one Reviews row, a CHILD mistyped in one
episode, a HOME_POST left blank on one of several episodes, SEX written in words, a review date
written year first, and a blank legal status on the episode continuing from last year.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

YEAR = "2025-26"
LA = "E08000007"
EXTRA_KINDS = ["dob_in_reviews", "child_typo", "home_post_blank", "sex_in_words", "review_date_iso",
               "ls_blank_continuing"]


def add_mistakes(cur: dict, prev: dict, seed: int, rate: float, truth: list[dict]) -> None:
    """The further kinds of mistake, each on about rate/len(EXTRA_KINDS) of the children; never on
    a cell the generator already changed."""
    rng = np.random.default_rng([seed, 21])
    taken = {(t["table"], t["row"], t["field"]) for t in truth}
    touched = {t["child"] for t in truth}
    eps, hdr = cur["Episodes"], cur["Header"]
    children = [c for c in pd.unique(eps["CHILD"]) if c not in touched]
    rng.shuffle(children)
    per_kind = max(1, int(len(children) * rate / len(EXTRA_KINDS)))
    known = set(hdr["CHILD"])
    last_open = prev["Episodes"][prev["Episodes"]["DEC"].eq("")].drop_duplicates("CHILD", keep="last") \
        .set_index("CHILD")["DECOM"]

    def note(kind, table, row, field, written, child):
        frame = cur[table]
        col = frame.columns.get_loc(field)
        truth.append({"child": child, "kind": kind, "table": table, "row": int(row), "field": field,
                      "written": written, "true": frame.iat[row, col]})
        taken.add((table, int(row), field))
        frame.iat[row, col] = written

    it = iter(children)
    for kind in EXTRA_KINDS:
        done = 0
        for child in it:
            if done >= per_kind:
                break
            rows = np.flatnonzero(eps["CHILD"].to_numpy() == child)
            ok = False
            if kind == "dob_in_reviews":
                r = np.flatnonzero(cur["Reviews"]["CHILD"].to_numpy() == child)
                if len(r):
                    d = pd.to_datetime(cur["Reviews"].at[r[0], "DOB"], format="%d/%m/%Y")
                    wrong = (d + pd.Timedelta(days=int(rng.integers(1, 28)))).strftime("%d/%m/%Y")
                    note(kind, "Reviews", r[0], "DOB", wrong, child)
                    ok = True
            elif kind == "child_typo":
                x = rows[-1]
                for _ in range(10):
                    pos = int(rng.integers(0, len(child)))
                    typo = child[:pos] + str((int(child[pos]) + int(rng.integers(1, 10))) % 10) + child[pos + 1:]
                    if typo not in known and typo[0] != "0":
                        note(kind, "Episodes", x, "CHILD", typo, child)
                        ok = True
                        break
            elif kind == "home_post_blank":
                posts = set(eps.loc[rows, "HOME_POST"])
                if len(rows) >= 2 and len(posts) == 1 and "" not in posts:
                    note(kind, "Episodes", rows[-1], "HOME_POST", "", child)
                    ok = True
            elif kind == "sex_in_words":
                h = np.flatnonzero(hdr["CHILD"].to_numpy() == child)[0]
                words = {"M": "Male", "1": "Male", "F": "Female", "2": "Female"}.get(hdr.at[h, "SEX"], "Unknown")
                note(kind, "Header", h, "SEX", words, child)
                ok = True
            elif kind == "review_date_iso":
                r = np.flatnonzero(cur["Reviews"]["CHILD"].to_numpy() == child)
                if len(r):
                    d = pd.to_datetime(cur["Reviews"].at[r[-1], "REVIEW"], format="%d/%m/%Y")
                    note(kind, "Reviews", r[-1], "REVIEW", d.strftime("%Y-%m-%d"), child)
                    ok = True
            elif kind == "ls_blank_continuing":
                first = rows[0]
                if child in last_open.index and eps.at[first, "DECOM"] == last_open[child]:
                    note(kind, "Episodes", first, "LS", "", child)
                    ok = True
            done += ok


def score(report, truth: pd.DataFrame) -> pd.DataFrame:
    """One row per mistake (and per suggestion on a cell that was not one): kind, flagged,
    suggested value, correct."""
    recs = report.records
    cur = recs[recs["year"].eq("current")]
    flagged_rows = set(zip(cur["table"], cur["row"].astype(int)))
    cells = {}
    for table, row, sug in zip(cur["table"], cur["row"].astype(int), cur["suggestion"]):
        if sug is not None:
            cells[(table, row, sug["field"])] = sug["value"]
    out = []
    for t in truth.itertuples(index=False):
        key = (t.table, int(t.row), t.field)
        got = cells.pop(key, None)
        out.append({"kind": t.kind, "flagged": (t.table, int(t.row)) in flagged_rows,
                    "suggested": got is not None, "correct": got is not None and got == t.true})
    for _ in cells:  # suggestions on values that were not deliberate mistakes
        out.append({"kind": "not a deliberate mistake", "flagged": True, "suggested": True, "correct": False})
    return pd.DataFrame(out)


def run_seed(children: int, seed: int, rate: float, extra: bool, folder: Path, year: str = YEAR) -> pd.DataFrame:
    from lac_validator.api import validate_run
    from lac_validator.app.validate import for_outputs
    from lac_validator.devtools.synth import generate, write_return

    truth: list[dict] = []
    cur, prev = generate(children, year, seed, rate, LA, truth=truth)
    if extra:
        add_mistakes(cur, prev, seed, rate, truth)
    write_return(cur, folder / "current")
    write_return(prev, folder / "previous")
    frame = pd.DataFrame(truth, columns=["child", "kind", "table", "row", "field", "written", "true"])
    frame.to_csv(folder / "truth.csv", index=False)  # beside the return, never in it
    run = validate_run([folder / "current"], [folder / "previous"], year, LA)
    return score(for_outputs(run, ["json"]), frame)  # the report as the JSON output gets it


def table(results: pd.DataFrame) -> pd.DataFrame:
    def row(g):
        n_sug, n_ok = int(g["suggested"].sum()), int(g["correct"].sum())
        mistakes = int((g["kind"] != "not a deliberate mistake").sum())
        return pd.Series({"mistakes": mistakes, "flagged by a rule": int(g["flagged"].sum()) if mistakes else 0,
                          "suggested": n_sug, "correct": n_ok,
                          "precision": f"{n_ok / n_sug:.1%}" if n_sug else "-",
                          "recall": f"{n_ok / mistakes:.1%}" if mistakes else "-"})
    per = results.groupby("kind", sort=True)[["kind", "flagged", "suggested", "correct"]].apply(row)
    total = row(results).rename("all")
    return pd.concat([per, total.to_frame().T])


def markdown(t: pd.DataFrame) -> str:
    cols = ["kind of mistake", *t.columns]
    lines = ["| " + " | ".join(cols) + " |", "|---|" + "---:|" * len(t.columns)]
    for kind, r in t.iterrows():
        name = f"**{kind}**" if kind == "all" else kind
        lines.append("| " + " | ".join([name, *(str(v) for v in r.tolist())]) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--children", type=int, default=2000)
    ap.add_argument("--seeds", default="903,904,905", help="comma-separated generator seeds (default 903,904,905)")
    ap.add_argument("--year", default=YEAR, help=f"collection year (default {YEAR})")
    ap.add_argument("--rate", type=float, default=0.1, help="deliberate mistakes per child (default 0.1)")
    ap.add_argument("--generator-only", action="store_true", help="only the generator's own kinds of mistake")
    ap.add_argument("--markdown", type=Path, help="also write the table as Markdown to this file")
    a = ap.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in [int(s) for s in a.seeds.split(",") if s.strip()]:
            results.append(run_seed(a.children, seed, a.rate, not a.generator_only, Path(tmp) / f"s{seed}", a.year))
    t = table(pd.concat(results, ignore_index=True))
    text = markdown(t)
    print(text)
    if a.markdown:
        a.markdown.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
