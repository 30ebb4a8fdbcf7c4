"""Reading the YAML the project ships (schemas and rule specifications), fast."""
from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path

# A folder holding another copy of the year data (spec/*.yaml and fields.yaml, as in the package's
# rules/ and schemas/ folders): maintainers try a new collection year's data with it before editing the
# package, and tests build hypothetical years from data alone (docs/new-year.md).
SPEC_DIR_ENV = "LAC_VALIDATOR_SPEC_DIR"
DATA_PACKAGES = ("lac_validator.rules", "lac_validator.schemas")


def data_source(package: str, name: str):
    """Where a shipped YAML file is read from: the package, or the $LAC_VALIDATOR_SPEC_DIR copy."""
    folder = os.environ.get(SPEC_DIR_ENV, "").strip()
    if folder and package in DATA_PACKAGES:
        return Path(folder) / name
    return resources.files(package).joinpath(name)



def load_yaml_text(text: str):
    # Imported here: a run whose package YAML comes from the JSON cache never needs PyYAML.
    import yaml  # noqa: PLC0415

    # libyaml's loader is several times faster; PyYAML without it falls back to pure Python.
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def load_package_yaml(package: str, name: str, prepare=None, version: str = "", cached: bool = True):
    """Load a YAML file shipped inside an installed package, as `prepare(data)` when given (e.g.
    validated), through the JSON cache when the file is a plain file (see lac_validator.cache).
    `version` names the shape of what `prepare` makes (a new one is a new cache entry); `cached`
    False reads the YAML whatever the cache holds."""
    from . import cache  # noqa: PLC0415

    source = data_source(package, name)
    key = None
    if isinstance(source, Path) and source.is_file():
        key = cache.source_key("yaml", package, name, version, files=(source,))
        value = cache.load_json("spec", key) if cached else None
        if value is not None:
            return value
    value = load_yaml_text(source.read_text(encoding="utf-8"))
    if prepare is not None:
        value = prepare(value)
    # Only data that JSON holds exactly (no dates, no non-text keys) is cached.
    if key is not None and json.loads(json.dumps(value)) == value:
        cache.store_json("spec", key, value)
    return value
