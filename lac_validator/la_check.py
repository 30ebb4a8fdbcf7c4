"""Which LA a return's children come from, to catch a wrong or missing --la.

The children's home postcodes (Episodes.HOME_POST, the latest per child) mostly lie in the
submitting LA. When most of them lie in one other LA, that LA is named: the rules comparing
placements with "our area" would otherwise be judged against the wrong one (or not run).
"""
from __future__ import annotations

import pandas as pd

MIN_CHILDREN = 5     # children with a home postcode found in the directory
MIN_SHARE = 0.5      # ... of whom at least this share live in one LA


def home_las(ctx):
    """(upper-tier code of most children's home, its share, children counted), or None."""
    ref = getattr(ctx, "reference", None)
    if ref is None or not getattr(ref, "postcodes", None) or not ctx.has("Episodes"):
        return None
    eps = ctx.table("Episodes")
    if "HOME_POST" not in eps.columns or "CHILD" not in eps.columns:
        return None
    raw = ctx.raw("Episodes")
    frame = pd.DataFrame({"CHILD": raw["CHILD"].to_numpy(), "HOME_POST": raw["HOME_POST"].to_numpy(),
                          "_d": eps["DECOM"].to_numpy()}).dropna(subset=["CHILD", "HOME_POST"])
    latest = frame.sort_values("_d", kind="mergesort", na_position="first").drop_duplicates("CHILD", keep="last")
    if len(latest) < MIN_CHILDREN:
        return None
    from .geography import utla_for_lad

    found = ref.postcodes.lookup(latest["HOME_POST"])
    utla = utla_for_lad(found["laua"]).dropna()
    if len(utla) < MIN_CHILDREN:
        return None
    counts = utla.value_counts()
    return str(counts.index[0]), counts.iloc[0] / len(utla), len(utla)


def la_alerts(ctx) -> list[str]:
    got = home_las(ctx)
    if got is None:
        return []
    code, share, n = got
    if share < MIN_SHARE:
        return []
    from .authorities import all_authorities
    from .geography import area_codes, utla_names

    if ctx.la is not None and code in area_codes(ctx.la.ons_code):
        return []
    match = [la for la in all_authorities() if la.ons_code == code]
    where = match[0].describe() if match else f"{utla_names().get(code, code)} ({code})"
    dfe = f" --la {match[0].dfe_code}" if match else ""
    lives = f"the home postcodes of {share:.0%} of the children ({n} with a known postcode) lie in {where}"
    if ctx.la is None:
        return [f"no --la given, but {lives}: if that is the submitting LA, give{dfe or ' --la'}, so the rules "
                "comparing placements with the LA's area run."]
    return [f"--la {ctx.la.name} ({ctx.la.ons_code}), but {lives}: check --la{(' (e.g.' + dfe + ')') if dfe else ''}; "
            "placements are judged in or out of area against --la."]
