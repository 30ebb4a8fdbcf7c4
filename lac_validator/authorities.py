"""English local authorities: ONS upper-tier codes, DfE 3-digit numbers and names.

Shipped as schemas/local_authorities.csv (DfE LA numbers from the 903 LA_PERM code list, ONS
codes from the ONS lower-to-upper tier lookup, plus the 2019-2023 reorganisations).
"""
from __future__ import annotations

import csv
import io
import re
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


def _name_forms(name: str) -> set[str]:
    """How people write an LA's name: "Bristol, City of" is also "City of Bristol" and "Bristol";
    "County Durham" also "Durham"; case, punctuation and "&" for "and" do not matter."""
    n = _plain(name)
    forms = {n}
    m = re.match(r"^(.*) city of$", n)
    if m:
        forms |= {f"city of {m.group(1)}", m.group(1)}
    for lead in ("city of ", "county "):
        if n.startswith(lead):
            forms.add(n[len(lead):])
    return forms


def _plain(text: str) -> str:
    text = str(text).lower().replace("&", " and ")
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", text).split())


def _one(las: list[LocalAuthority]) -> LocalAuthority:
    """The current authority among entries of the same LA (e.g. Barnsley before and after 2025)."""
    return next((la for la in las if not la.valid_to), las[0])


def find_by_name(text: str, prefix: bool = True) -> list[LocalAuthority]:
    """Authorities whose name is `text` (or, with `prefix`, starts with it), one per DfE number."""
    key = _plain(text)
    if not key:
        return []
    las = all_authorities()
    hits = [la for la in las if key in _name_forms(la.name)]
    if not hits and prefix:
        hits = [la for la in las if any(f.startswith(key) for f in _name_forms(la.name))]
    by_code: dict[str, list[LocalAuthority]] = {}
    for la in hits:
        by_code.setdefault(la.dfe_code, []).append(la)
    return [_one(group) for group in by_code.values()]


def resolve_la(text: str, names: str = "prefix") -> LocalAuthority:
    """An LA from an ONS code (E08000007), DfE number (356) or name (Birmingham; any case; an
    unambiguous beginning such as "birm" with names="prefix", the whole name with names="exact").
    A DfE number shared by an old and a new ONS code (North Yorkshire, Somerset) resolves to the
    current one. Raises InputError naming the candidates when a name is ambiguous."""
    key = str(text).strip().upper()
    las = all_authorities()
    by_ons = [la for la in las if la.ons_code == key]
    if by_ons:
        return by_ons[0]
    by_dfe = [la for la in las if la.dfe_code == key]
    if by_dfe:
        current = [la for la in by_dfe if not la.valid_to]
        return (current or by_dfe)[0]
    if names != "none":
        found = find_by_name(str(text).replace("_", " "), prefix=names == "prefix")
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            shown = ", ".join(f"{la.name} ({la.dfe_code})" for la in found[:8])
            raise InputError(f"'{text}' matches {len(found)} local authorities: {shown}"
                             f"{', ...' if len(found) > 8 else ''}; give more of the name, or the ONS code or DfE number.")
    raise InputError(
        f"'{text}' is not a known English local authority: give its name (e.g. Stockport), ONS code "
        "(e.g. E08000007) or DfE 3-digit number (e.g. 356); `lac-validator las` lists them."
    )
