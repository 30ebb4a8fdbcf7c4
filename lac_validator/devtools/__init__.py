"""Tools for developing lac-validator, not for validating: the synthetic return generator (used for
example_returns/, the benchmarks and the tests). Installed with the package, but nothing that
validates, converts or reports imports it (tests/test_repository.py checks)."""
