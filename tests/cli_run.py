"""Helpers shared by tests that drive the installed entry point (lac_validator.cli:run) in-process."""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from lac_validator import cli


def run_cli(args, capsys, monkeypatch) -> tuple[int, str, str]:
    """Run `lac-validator ARGS` through cli.run: exit code, stdout, stderr."""
    monkeypatch.setattr(sys, "argv", ["lac-validator", *map(str, args)])
    monkeypatch.setattr(cli, "_VERBOSE", False)
    code = 0
    try:
        cli.run()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out = capsys.readouterr()
    return code, out.out, out.err


def file_hashes(root: Path) -> dict[str, str]:
    """sha256 of every file below root, by relative path: inputs must never change."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}
