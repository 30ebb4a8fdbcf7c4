"""The checkout itself works on every platform: no symbolic links (Windows checkouts turn them into
text files), and the top-level cli.py launcher runs the same commands as the installed entry point."""
import re
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


# ---------------------------------------------------------------- rules are found by their code

RULE_MODULE = re.compile(r"^(?:r(?P<hundreds>[1-9]0*00)_[a-z0-9_]+|ref_[a-z0-9_]+|sw_[a-z0-9_]+|integrity_[a-z0-9_]+)$")
# Rules that do not sit in the module of their number's hundreds, and why.
OUTSIDE_THEIR_HUNDREDS = {
    ("r1000_care_leavers", "3001"): "3001 is a care-leaver (OC3) check of the DfE's 1000s family",
}
# ref_* modules hold the rules that read reference data (postcodes, the Ofsted provider list),
# whatever their number: they run only when that data is given.
REFERENCE_NEEDS = {"postcodes", "provider_info"}


def _rule_modules():
    from lac_validator.registry import load_registry

    out = {}
    for version in load_registry().versions:
        if version.func is not None:
            out.setdefault(version.func.__module__.rsplit(".", 1)[1], []).append(version)
    return out


def test_every_rule_module_is_named_for_its_family():
    names = sorted(p.stem for p in (ROOT / "rules").glob("*.py") if p.stem != "__init__")
    assert [n for n in names if not RULE_MODULE.match(n)] == []


def test_every_rule_lies_in_the_module_of_its_code():
    misplaced = []
    for module, versions in _rule_modules().items():
        family = RULE_MODULE.match(module)
        for v in versions:
            if (module, v.code) in OUTSIDE_THEIR_HUNDREDS:
                continue
            if family is None:
                ok = False
            elif family["hundreds"]:
                number = re.match(r"\d+", v.code)
                ok = number is not None and int(number.group()) // 100 == int(family["hundreds"]) // 100
            elif module.startswith("ref_"):
                ok = bool(REFERENCE_NEEDS & set(v.needs))
            elif module.startswith("sw_"):
                ok = v.code.startswith("SW")
            else:
                ok = v.code in ("EPI", "NoE") or v.code.startswith("INT")
            if not ok:
                misplaced.append((module, v.code))
    assert sorted(set(misplaced)) == []
    # the listed exceptions are still real (a stale entry would hide nothing)
    found = {(m, v.code) for m, vs in _rule_modules().items() for v in vs}
    assert set(OUTSIDE_THEIR_HUNDREDS) <= found
