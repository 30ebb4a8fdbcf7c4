"""Run lac-validator from a checkout: `python cli.py validate ...` does what `lac-validator validate ...` does.

The commands live in lac_validator/cli.py (installed as lac_validator.cli); this launcher only hands
over to them, so the repository needs no symbolic link (they break Windows checkouts).
"""
from lac_validator.cli import entry

if __name__ == "__main__":
    entry()
