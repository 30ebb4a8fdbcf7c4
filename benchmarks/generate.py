"""Write synthetic SSDA903 returns of given sizes for benchmarking (uses lac_validator.devtools.synth).

    python benchmarks/generate.py --sizes 1000,5000 --out /tmp/bench --year 2025-26

writes OUT/n1000/current, OUT/n1000/previous, OUT/n5000/... and prints how long each took.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from lac_validator.devtools.synth import generate, write_return


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,5000", help="comma-separated numbers of children (default 1000,5000)")
    ap.add_argument("--out", default="benchmarks/data", help="output folder (default benchmarks/data)")
    ap.add_argument("--year", default="2025-26")
    ap.add_argument("--seed", type=int, default=903)
    ap.add_argument("--error-rate", type=float, default=0.01)
    ap.add_argument("--la", default="E08000007")
    a = ap.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in a.sizes.split(",") if s.strip()]
    for n in sizes:
        t0 = time.perf_counter()
        cur, prev = generate(n, a.year, a.seed, a.error_rate, a.la)
        t1 = time.perf_counter()
        folder = Path(a.out) / f"n{n}"
        write_return(cur, folder / "current")
        write_return(prev, folder / "previous")
        t2 = time.perf_counter()
        rows = sum(len(df) for df in cur.values())
        print(f"{n:>7} children: {rows:>8} rows this year, generated in {t1 - t0:.1f}s, written in {t2 - t1:.1f}s -> {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
