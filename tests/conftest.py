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
