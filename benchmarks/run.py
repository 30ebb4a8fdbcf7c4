"""Benchmark the whole `lac-validator validate` pipeline on synthetic returns of several sizes.

    python benchmarks/run.py                                  # 1,000, 5,000, 20,000, 100,000 children
    python benchmarks/run.py --sizes 1000,5000 --repeat 3 --markdown benchmarks/results.md
    python benchmarks/run.py --sizes 5000 --many 4             # also validate-many, --jobs 1 and 2

For each size it generates (once; cached under --data, deterministic seed) this year's and last
year's return plus a synthetic Ofsted provider list, then runs `lac-validator validate CURRENT
--previous PREVIOUS --year 2025-26 --la E08000007 --providers LIST -f json -o report.json` in a
fresh Python process and reports: wall time of that process (start-up, imports, load, rules,
report), time per phase, the 10 slowest rules and the process's peak memory (max RSS from
os.wait4). With --repeat N the best wall time of N runs is reported, with the median alongside.
Finally it says, per target of issue 13, whether it is met.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
YEAR = "2025-26"
LA = "E08000007"
# Issue 13's targets: children -> (seconds, MB), with last year's return and the JSON report.
TARGETS = {5000: (1.5, 400), 100000: (20.0, 4096)}


# ------------------------------------------------------------------------------------ data
def ensure_data(root: Path, n: int, seed: int, error_rate: float) -> Path:
    """The return for n children, generated once and reused while the parameters are the same."""
    folder = root / f"n{n}-s{seed}-e{error_rate:g}"
    stamp = folder / "generated.json"
    if stamp.exists():
        return folder
    # In a separate process: Linux counts the RSS of the process that starts a measured run into
    # that run's peak (the pre-exec copy), so this process must stay small.
    t0 = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--generate", str(folder), str(n), str(seed), str(error_rate)],
                   check=True, env=_env())
    rows = json.loads(stamp.read_text())["rows"]
    print(f"  generated {n:,} children ({rows:,} rows, both years) in {time.perf_counter() - t0:.1f} s -> {folder}",
          file=sys.stderr)
    return folder


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE.parent), env.get("PYTHONPATH")]))
    return env


def byte_compile(env: dict) -> None:
    """Compile lac-validator's own modules to bytecode first, as `pip install` does for an installed
    package, so that no run pays for compiling them. (An editable install under
    PYTHONDONTWRITEBYTECODE=1, as on some CI machines, compiles them on every run: about 0.08 s.)"""
    root = HERE.parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(root / "lac_validator"), str(root / "rules"),
                    str(root / "schemas")], check=True, env=env, stdout=subprocess.DEVNULL)


def generate_main(folder: Path, n: int, seed: int, error_rate: float) -> int:
    from lac_validator.devtools.synth import generate, write_providers, write_return

    stamp = folder / "generated.json"
    cur, prev = generate(n, YEAR, seed, error_rate, LA)
    write_return(cur, folder / "current")
    write_return(prev, folder / "previous")
    write_providers([cur, prev], folder / "ofsted_providers.xlsx")
    rows = sum(len(df) for df in cur.values()) + sum(len(df) for df in prev.values())
    stamp.write_text(json.dumps({"children": n, "seed": seed, "error_rate": error_rate, "rows": rows}))
    return 0


# ------------------------------------------------------------------------------------ one run
def child_main(folder: Path, report: Path, timings_out: Path) -> int:
    """Run in the measured process: the real CLI command, with the phases recorded on the side."""
    t_start = time.perf_counter()
    import lac_validator.api as api
    from lac_validator.cli import main

    t_import = time.perf_counter()
    seen = {}
    real_validate = api.validate_run

    def recording_validate(*args, **kwargs):
        run = real_validate(*args, **kwargs)
        seen["report"] = run.report
        seen["validated"] = time.perf_counter()
        return run

    api.validate_run = recording_validate
    args = ["validate", str(folder / "current"), "--previous", str(folder / "previous"), "--year", YEAR,
            "--la", LA, "--providers", str(folder / "ofsted_providers.xlsx"), "-f", "json", "-o", str(report), "-q"]
    try:
        main(args, standalone_mode=False)
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    t_end = time.perf_counter()
    rep = seen["report"]
    tm = rep.result.timings
    phases = {"start-up + imports": t_import - t_start}
    phases.update({k.split(":", 1)[1]: v for k, v in tm.items() if k.startswith("phase:")})
    phases["write JSON"] = t_end - seen["validated"]
    rules = sorted(((v, k) for k, v in tm.items() if not k.startswith("phase:")), reverse=True)
    timings_out.write_text(json.dumps({
        "exit_code": code, "phases": phases, "slowest": [[k, v] for v, k in rules[:10]],
        "rules_run": len(rep.result.rules_run), "rules_not_run": len(rep.result.not_run),
        "internal_errors": len(rep.result.internal_errors), "errors": int(rep.error_count),
        "rules_flagging": int(rep.records["rule"].nunique()) if len(rep.records) else 0,
    }))
    return 0


def measure(folder: Path, env: dict) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        report, timings = Path(tmp) / "report.json", Path(tmp) / "timings.json"
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, __file__, "--child", str(folder), str(report), str(timings)], env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0 or not timings.exists():
            raise SystemExit(f"benchmark run on {folder} failed (exit {proc.returncode})")
        out = json.loads(timings.read_text())
    out["wall"] = wall
    # CPU seconds of the process and its rule worker: unlike wall time, barely affected by other
    # programs competing for the cores.
    out["cpu"] = usage.ru_utime + usage.ru_stime
    out["peak_mb"] = usage.ru_maxrss / 1024  # Linux reports KiB; the largest of the process and its worker
    return out


def many_markdown(root: Path, n: int, k: int, seed: int, error_rate: float, env: dict) -> str:
    """Time `validate-many` on k returns of n children with 1 and 2 jobs."""
    with tempfile.TemporaryDirectory() as tmp:
        # k copies of one return (same work each, so the speed-up is the parallelism alone): returns
        # generated with other seeds would need a provider list covering them all, and the synthetic
        # lists of different seeds reuse URNs for other settings.
        region = Path(tmp) / "region"
        folder = ensure_data(root, n, seed, error_rate)
        for i in range(k):
            (region / f"LA{i + 1}").mkdir(parents=True)
            for part in ("current", "previous"):
                (region / f"LA{i + 1}" / part).symlink_to(folder / part)
        providers = ["--providers", str(folder / "ofsted_providers.xlsx")]
        walls = {}
        for jobs in (1, 2):
            out = Path(tmp) / f"out{jobs}"
            cmd = [sys.executable, "-c", "import sys; from lac_validator.cli import entry; "
                   "sys.argv[0] = 'lac-validator'; entry()", "validate-many", str(region), "-o", str(out),
                   "--year", YEAR, "--la", LA, *providers, "-f", "json", "--jobs", str(jobs),
                   "--fail-on", "none", "-q"]
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, env=env)
            walls[jobs] = time.perf_counter() - t0
            print(f"  validate-many {k} x {n:,} children, --jobs {jobs}: {walls[jobs]:.2f} s", file=sys.stderr)
    return (f"\n- validate-many, {k} returns of {n:,} children each: {walls[1]:.2f} s with `--jobs 1` (each return "
            f"using the cores itself), {walls[2]:.2f} s with `--jobs 2` ({walls[1] / walls[2]:.2f}x)\n")


# ------------------------------------------------------------------------------------ report
def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {sys.version.split()[0]}"


def verdicts(results: dict[int, dict]) -> list[str]:
    lines = []
    for n, (secs, mb) in TARGETS.items():
        r = results.get(n)
        if r is None:
            continue
        ok = r["wall"] <= secs and r["peak_mb"] <= mb
        lines.append(f"- {n:,} children with last year: {r['wall']:.2f} s (target ≤ {secs:g} s), "
                     f"{r['peak_mb']:.0f} MB (target ≤ {mb:,} MB): **{'met' if ok else 'NOT met'}**")
    sizes = sorted(results)
    if len(sizes) >= 2:
        a, b = sizes[0], sizes[-1]
        # Compare time beyond the fixed start-up cost, which does not grow with the return.
        fixed = results[a]["phases"].get("start-up + imports", 0)
        ratio = (results[b]["wall"] - fixed) / max(results[a]["wall"] - fixed, 1e-9)
        lines.append(f"- growth {a:,} -> {b:,} children ({b / a:.0f}x the children): {ratio:.1f}x the time "
                     f"(after start-up): **{'linear or better' if ratio <= b / a else 'faster than linear'}**")
    return lines


def markdown(results: dict[int, dict], repeat: int) -> str:
    out = [f"Machine: {machine()}. Best of {repeat} run(s) per size (median in brackets); "
           "wall = the whole `validate` process, CPU = its user+system seconds; phases in wall seconds.", "",
           "| children | rows (both years) | wall | CPU | load | reference | rules | report | write JSON | peak RSS | errors found | rules flagging |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n, r in sorted(results.items()):
        p = r["phases"]
        out.append(f"| {n:,} | {r['rows']:,} | {r['wall']:.2f} s ({r['median_wall']:.2f}) | "
                   f"{r['cpu']:.2f} s | {p.get('load', 0):.2f} s | "
                   f"{p.get('reference', 0):.2f} s | {p.get('rules', 0):.2f} s | {p.get('report', 0):.2f} s | "
                   f"{p.get('write JSON', 0):.2f} s | {r['peak_mb']:.0f} MB | {r['errors']:,} | {r['rules_flagging']} |")
    out.append("")
    for n, r in sorted(results.items()):
        slow = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in r["slowest"])
        out.append(f"- slowest rules at {n:,} children: {slow}")
    out.append("")
    out += verdicts(results)
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        child_main(Path(argv[1]), Path(argv[2]), Path(argv[3]))
        # End as the `lac-validator` command does (cli.entry): without the interpreter's teardown.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    if argv[:1] == ["--generate"]:
        return generate_main(Path(argv[1]), int(argv[2]), int(argv[3]), float(argv[4]))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,5000,20000,100000", help="comma-separated numbers of children")
    ap.add_argument("--data", default=str(HERE / "data"), help="where generated returns are kept (default benchmarks/data)")
    ap.add_argument("--seed", type=int, default=903)
    ap.add_argument("--error-rate", type=float, default=0.01, help="deliberate errors per child (default 0.01)")
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs per size; the best is reported, the median beside it (default 3: the machine may be shared)")
    ap.add_argument("--markdown", help="also write the results table to this file")
    ap.add_argument("--many", type=int, default=0, metavar="K",
                    help="also time `validate-many` on K returns of the first size with --jobs 1 and 2")
    a = ap.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in a.sizes.split(",") if s.strip()]
    env = _env()
    byte_compile(env)
    results = {}
    for n in sizes:
        folder = ensure_data(Path(a.data), n, a.seed, a.error_rate)
        runs = [measure(folder, env) for _ in range(max(1, a.repeat))]
        best = min(runs, key=lambda r: r["wall"])
        best["median_wall"] = statistics.median(r["wall"] for r in runs)
        best["peak_mb"] = max(r["peak_mb"] for r in runs)
        best["rows"] = json.loads((folder / "generated.json").read_text())["rows"]
        results[n] = best
        print(f"  {n:>7,} children: {best['wall']:.2f} s, {best['peak_mb']:.0f} MB, "
              f"{best['rules_run']} rules run, {best['internal_errors']} internal errors", file=sys.stderr)
    text = markdown(results, max(1, a.repeat))
    if a.many:
        text += many_markdown(Path(a.data), sizes[0], a.many, a.seed, a.error_rate, env)
    print(text)
    if a.markdown:
        Path(a.markdown).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
