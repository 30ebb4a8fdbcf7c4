import os
import socket
import sys
import tempfile
from pathlib import Path

import pytest

# tests/ holds shared helpers (rule_cases.py) imported by several test modules
sys.path.insert(0, str(Path(__file__).parent))

# The reference-data cache goes to a throw-away folder, never the user's ~/.cache (subprocesses inherit it).
os.environ.setdefault("LAC_VALIDATOR_CACHE_DIR", tempfile.mkdtemp(prefix="lac-validator-test-cache-"))


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Nothing leaves the machine: any attempt to open a network connection fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("lac-validator tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def clear_year_caches():
    from lac_validator import registry, schema

    schema.load_schema.cache_clear()
    registry.load_registry.cache_clear()


@pytest.fixture
def year_data(tmp_path, monkeypatch):
    """A copy of the shipped year data (rules/spec and fields.yaml) the tool reads instead of its
    own (LAC_VALIDATOR_SPEC_DIR): edit it, then load or validate."""
    import shutil

    from lac_validator.specfile import SPEC_DIR_ENV

    root = Path(__file__).resolve().parent.parent
    folder = tmp_path / "yeardata"
    shutil.copytree(root / "rules" / "spec", folder / "spec")
    shutil.copy(root / "schemas" / "fields.yaml", folder / "fields.yaml")
    monkeypatch.setenv(SPEC_DIR_ENV, str(folder))
    clear_year_caches()
    yield folder
    monkeypatch.delenv(SPEC_DIR_ENV)
    clear_year_caches()
