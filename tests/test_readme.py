"""The README's commands work as written (on the bundled example returns)."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from lac_validator.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
EXAMPLE = ROOT / "example_returns" / "2025-26"


def test_first_command_validates_the_bundled_example():
    first = README.split("```bash", 1)[1].split("```", 1)[0].strip().splitlines()[0]
    args = shlex.split(first.split("lac-validator ", 1)[1])
    r = CliRunner().invoke(main, args, catch_exceptions=False)
    assert r.exit_code == 1, r.output          # the example has deliberate errors
    assert "errors for" in r.output and "Errors by rule" in r.output


def test_ci_job_example_runs_as_written(tmp_path, monkeypatch):
    line = next(l for l in README.splitlines() if "-f junit -o junit.xml" in l)
    cmd = line.split("run: ", 1)[1]
    args = shlex.split(cmd.split("lac-validator ", 1)[1])
    monkeypatch.chdir(tmp_path)
    (tmp_path / "extract").symlink_to(EXAMPLE / "current")
    (tmp_path / "last_year").symlink_to(EXAMPLE / "previous")
    r = CliRunner().invoke(main, ["baseline", "create", "extract/", "--previous", "last_year/", "--year", "2025-26",
                                  "-o", "accepted.yaml", "--explanation", "agreed with the DfE"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 0, r.output          # every error accepted by the baseline: the gate passes
    assert (tmp_path / "junit.xml").exists() and r.output == ""
    text = (tmp_path / "accepted.yaml").read_text()
    lines = text.splitlines()
    # drop one accepted entry: the same CI command now fails the job
    start = next(i for i, l in enumerate(lines) if l.startswith("- rule:"))
    end = next(i for i, l in enumerate(lines[start + 1:], start + 1) if l.startswith("- rule:"))
    (tmp_path / "accepted.yaml").write_text("\n".join(lines[:start] + lines[end:]) + "\n")
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 1


def test_readme_mentions_every_command():
    for name in main.commands:
        assert re.search(rf"lac-validator {name}\b", README), f"README does not show `lac-validator {name}`"
