"""Reading the YAML the project ships (schemas and rule specifications), fast."""
from __future__ import annotations

from importlib import resources

import yaml

try:  # libyaml makes start-up several times faster; fall back to pure Python
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


def load_yaml_text(text: str):
    return yaml.load(text, Loader=_Loader)


def load_package_yaml(package: str, name: str):
    """Load a YAML file shipped inside an installed package."""
    return load_yaml_text(resources.files(package).joinpath(name).read_text(encoding="utf-8"))
