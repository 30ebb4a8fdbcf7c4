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


def test_every_subpackage_is_installed():
    """A wheel (`pip install .`, not only an editable install) must carry every package folder:
    pyproject lists packages by name, so a new folder left off the list vanishes from a real install."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    roots = {name: ROOT / folder for name, folder in config["package-dir"].items()}
    found = set()
    for name, folder in roots.items():
        for init in folder.rglob("__init__.py"):
            if ".venv" in init.parts or "__pycache__" in init.parts:
                continue
            rel = init.parent.relative_to(folder).parts
            found.add(".".join((name, *rel)))
    assert found <= listed, f"package folders missing from pyproject's packages: {sorted(found - listed)}"
