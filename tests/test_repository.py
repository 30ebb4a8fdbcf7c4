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


def test_validating_does_not_import_the_synthetic_return_generator(tmp_path):
    """The generator (lac_validator.devtools) is for examples, benchmarks and tests: a validate run,
    with every output it can write, loads none of it."""
    script = (
        "import sys\n"
        "from lac_validator.cli import main\n"
        "for fmt in ('json', 'xlsx', 'html', 'csv'):\n"
        "    try:\n"
        f"        main(['validate', {str(ROOT / 'example_returns' / '2025-26' / 'current')!r}, '--previous',\n"
        f"              {str(ROOT / 'example_returns' / '2025-26' / 'previous')!r}, '--year', '2025-26',\n"
        "              '--la', '356', '-f', fmt, '-o', " + repr(str(tmp_path)) + " + '/out.' + fmt, '-q'],\n"
        "             standalone_mode=False)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(sorted(m for m in sys.modules if 'synth' in m or m.startswith('lac_validator.devtools')))\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"
    assert {p.suffix for p in tmp_path.iterdir()} == {".json", ".xlsx", ".html", ".csv"}


def test_no_runtime_module_imports_the_generator():
    runtime = [p for folder in ("lac_validator", "rules") for p in (ROOT / folder).rglob("*.py")
               if "devtools" not in p.parts and "__pycache__" not in p.parts]
    importing = [str(p.relative_to(ROOT)) for p in runtime
                 if "devtools" in p.read_text(encoding="utf-8") or "synth" in p.read_text(encoding="utf-8").replace("ynthetic", "")]
    assert importing == []
