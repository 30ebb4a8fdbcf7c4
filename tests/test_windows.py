"""Windows desktops: a legacy console encoding and no fork.

The end-to-end commands run in a real interpreter whose standard streams use cp1252 (as a
Windows console or a redirected file may) and with LAC_VALIDATOR_WORKERS=1 (one process, as on
platforms without fork), on a return whose folder, file names and values hold characters cp1252
cannot show. No command may crash; the exit codes stay the validation's.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from tests.test_cli import EPIS, HEADER, SW

DRIVER = textwrap.dedent("""
    import json, sys
    from lac_validator import cli
    codes = []
    for i, argv in enumerate(json.loads(sys.argv[1])):
        sys.argv = ["lac-validator", *argv]
        cli._VERBOSE = False
        print("$ command", i, argv[0], flush=True)
        try:
            cli.run()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        sys.stdout.flush()
        codes.append(code)
    with open(OUT, "w", encoding="utf-8") as fh:
        json.dump(codes, fh)
""")


def _return(root):
    cur = root / "Tower ✓ Hamlets – 2025" / "current"
    cur.mkdir(parents=True)
    (cur / "header ✓.csv").write_text(HEADER + "Ä✓1,M,01/01/2010,WBRI,,,\nŁ2,X,01/01/2011,WBRI,,,\n", encoding="utf-8")
    (cur / "episodes.csv").write_text(
        EPIS + "Ä✓1,01/04/2025,S,C2,N1,U1,PR1,01/06/2025,X1,,,,\nÄ✓1,01/05/2025,P,C2,N1,U1,PR1,,,,,,\n", encoding="utf-8")
    (cur / "sw.csv").write_text(SW + "Ä✓1,01/01/2010,SW✓1,01/03/2025,30/04/2025,\n", encoding="utf-8")
    return cur


def test_every_command_survives_cp1252_without_fork(tmp_path):
    cur = _return(tmp_path)
    out = tmp_path / "réports ✓"
    out.mkdir()
    y = ["--year", "2025-26"]
    sel = ["--select", "101,501,502,103"]
    hist = str(out / "h✓.sqlite")
    commands = [
        (["validate", str(cur), *y, *sel, "--all-errors"], 1),
        (["validate", str(cur), *y, *sel, "-f", "json", "-o", str(out / "r✓.json"), "--history", hist], 1),
        (["validate", str(cur), *y, *sel, "-f", "xlsx", "-o", str(out / "r✓.xlsx")], 1),
        (["validate", str(cur), *y, *sel, "-f", "json"], 1),
        (["validate", str(cur), *y, *sel, "--fail-on", "none", "--history", hist], 0),
        (["validate-many", str(cur.parent), *y, *sel, "-o", str(out / "many✓"), "--jobs", "1", "-f", "text"], 1),
        (["baseline", "create", str(cur), *y, *sel, "-o", str(out / "b✓.yaml")], 0),
        (["validate", str(cur), *y, *sel, "--baseline", str(out / "b✓.yaml")], 0),
        (["diff", str(out / "r✓.json"), str(out / "r✓.json")], 0),
        (["diff", "--history", hist, "--list"], 0),
        (["trend", "--history", hist], 0),
        (["history", "list", "--history", hist], 0),
        (["convert", str(cur), "--to", "xml", "-o", str(out / "c✓.xml"), *y], 0),
        (["validate", str(cur), "--year", "2024-25", *sel, "--la", "Stockport"], 1),
        (["validate", str(cur), *y, "--select", "5O1"], 2),
        (["convert", str(cur), "--to", "xlsx", "-o", str(out / "c✓.xlsx"), *y], 0),
        (["profile", str(cur), *y, *sel, "-o", str(out / "p✓.json")], 0),
        (["compare-profiles", str(out / "p✓.json"), str(out / "p✓.json")], 0),
        (["fix", str(cur), "-o", str(out / "fixed✓"), *y, "--dry-run"], 0),
        (["explain", "101"], 0),
        (["validate", str(cur / "nowhere ✓"), *y], 2),
    ]
    codes_file = tmp_path / "codes.json"
    env = {**os.environ, "PYTHONIOENCODING": "cp1252", "LAC_VALIDATOR_WORKERS": "1"}
    env.pop("PYTHONUTF8", None)
    with open(tmp_path / "stdout.txt", "wb") as so, open(tmp_path / "stderr.txt", "wb") as se:
        p = subprocess.run([sys.executable, "-c", f"OUT = {str(codes_file)!r}\n" + DRIVER,
                            json.dumps([c for c, _ in commands])], stdout=so, stderr=se, env=env, timeout=300)
    stdout = (tmp_path / "stdout.txt").read_bytes().decode("cp1252")
    stderr = (tmp_path / "stderr.txt").read_bytes().decode("cp1252")
    assert p.returncode == 0, stderr
    got = json.loads(codes_file.read_text())
    assert "UnicodeEncodeError" not in stderr and "stopped unexpectedly" not in stderr, stderr
    assert got == [want for _, want in commands], (got, stdout[-3000:], stderr[-3000:])
    assert "Tower ? Hamlets" in stdout  # the path, with the character cp1252 lacks replaced
