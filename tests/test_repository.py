"""The checkout itself works on every platform: no symbolic links (Windows checkouts turn them into
text files), and the top-level cli.py launcher runs the same commands as the installed entry point."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_no_symbolic_links_are_tracked():
    listed = subprocess.run(["git", "ls-files", "-s"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    links = [line.split("\t", 1)[1] for line in listed.splitlines() if line.startswith("120000")]
    assert links == []


def test_top_level_launcher_runs_the_commands():
    out = subprocess.run([sys.executable, str(ROOT / "cli.py"), "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and "lac-validator" in out.stdout
