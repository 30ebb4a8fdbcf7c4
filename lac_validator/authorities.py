"""English local authorities: ONS upper-tier codes, DfE 3-digit numbers and names.

Shipped as schemas/local_authorities.csv (DfE LA numbers from the 903 LA_PERM code list, ONS
codes from the ONS lower-to-upper tier lookup, plus the 2019-2023 reorganisations).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .errors import InputError


@dataclass(frozen=True)
class LocalAuthority:
    ons_code: str
    dfe_code: str
    name: str
    valid_from: str = ""
    valid_to: str = ""

    def describe(self) -> str:
        return f"{self.name} ({self.ons_code}, DfE {self.dfe_code})"


@lru_cache(maxsize=1)
def all_authorities() -> list[LocalAuthority]:
    text = resources.files("lac_validator.schemas").joinpath("local_authorities.csv").read_text(encoding="utf-8")
    return [LocalAuthority(r["ons_code"], r["dfe_code"], r["name"], r["valid_from"], r["valid_to"])
            for r in csv.DictReader(io.StringIO(text))]


def resolve_la(text: str) -> LocalAuthority:
    """An LA from an ONS code (E08000007) or DfE number (356). A DfE number shared by an old and
    a new ONS code (North Yorkshire, Somerset) resolves to the current one."""
    key = str(text).strip().upper()
    las = all_authorities()
    by_ons = [la for la in las if la.ons_code == key]
    if by_ons:
        return by_ons[0]
    by_dfe = [la for la in las if la.dfe_code == key]
    if by_dfe:
        current = [la for la in by_dfe if not la.valid_to]
        return (current or by_dfe)[0]
    raise InputError(
        f"'{text}' is not a known English local authority: give its ONS code (e.g. E08000007) "
        "or DfE 3-digit number (e.g. 356); `lac-validator las` lists them."
    )
