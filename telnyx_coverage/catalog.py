"""The coverage catalog: both coverage lists, loaded once and indexed for the checks' questions."""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from telnyx_coverage.models import Location, NetworkCoverage, VirtualCrossConnectsCoverage

Number = int | float


def _fold(text: str) -> str:
    """Compare location words the way people write them: case, ``_``, ``-`` and spaces aside."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _same_but_for_spelling(written: str, spellings: Iterable[str]) -> str | None:
    folded = _fold(written)
    return next((s for s in spellings if s != written and _fold(s) == folded), None)


@dataclass(frozen=True)
class Pairing:
    """A VXC pairing: a Telnyx location, a cloud region, and the bandwidths offered between them."""

    code: str
    cloud_provider: str
    cloud_provider_region: str
    available_bandwidth: tuple[Number, ...]


class CoverageCatalog:
    """Answers every coverage question locally, from the two full lists."""

    def __init__(
        self,
        network_coverage: Sequence[NetworkCoverage],
        virtual_cross_connects_coverage: Sequence[VirtualCrossConnectsCoverage],
    ) -> None:
        self.network_coverage = list(network_coverage)
        self.virtual_cross_connects_coverage = list(virtual_cross_connects_coverage)

        self._locations: dict[str, Location] = {}
        self._services: dict[str, set[str]] = defaultdict(set)
        for item in self.network_coverage:
            self._locations.setdefault(item.location.code, item.location)
            self._services[item.location.code].update(item.available_services)

        self._pairings: dict[tuple[str, str, str], Pairing] = {}
        self._by_code: dict[str, list[Pairing]] = defaultdict(list)
        self._by_cloud_region: dict[tuple[str, str], list[Pairing]] = defaultdict(list)
        merged: dict[tuple[str, str, str], set[Number]] = defaultdict(set)
        for vxc in self.virtual_cross_connects_coverage:
            self._locations.setdefault(vxc.location.code, vxc.location)
            key = (vxc.location.code, vxc.cloud_provider, vxc.cloud_provider_region)
            merged[key].update(vxc.available_bandwidth)
        for (code, provider, region), bandwidths in merged.items():
            pairing = Pairing(code, provider, region, tuple(sorted(bandwidths)))
            self._pairings[(code, provider, region)] = pairing
            self._by_code[code].append(pairing)
            self._by_cloud_region[(provider, region)].append(pairing)

        self._folded_codes = {_fold(code): code for code in self._locations}

    # -- locations ---------------------------------------------------------------------------

    @property
    def locations(self) -> list[Location]:
        """Every known location, sorted by code."""
        return [self._locations[c] for c in sorted(self._locations)]

    def location(self, code: str) -> Location | None:
        """The location whose ``code`` is exactly ``code`` (region_code is case-sensitive)."""
        return self._locations.get(code)

    def is_known(self, code: str) -> bool:
        return code in self._locations

    def services(self, code: str) -> frozenset[str]:
        """The services a location offers (unknown values included, as data)."""
        return frozenset(self._services.get(code, ()))

    def offers(self, code: str, service: str) -> bool:
        return service in self._services.get(code, ())

    def locations_offering(self, service: str) -> list[str]:
        """Codes of every location offering ``service``, sorted."""
        return sorted(code for code, services in self._services.items() if service in services)

    # -- VXC pairings ------------------------------------------------------------------------

    def pairings_from(self, code: str) -> list[Pairing]:
        """Every (cloud_provider, cloud_provider_region) a VXC from ``code`` reaches."""
        return sorted(
            self._by_code.get(code, ()), key=lambda p: (p.cloud_provider, p.cloud_provider_region)
        )

    def pairing(self, code: str, cloud_provider: str, cloud_provider_region: str) -> Pairing | None:
        """The pairing, with the provider and region spelt exactly as coverage spells them
        (the API takes them only so: ``us-east-1``, not ``US_EAST_1``)."""
        return self._pairings.get((code, cloud_provider, cloud_provider_region))

    def locations_reaching(self, cloud_provider: str, cloud_provider_region: str) -> list[str]:
        """Codes of the locations with VXC coverage to that cloud region, sorted."""
        found = self._by_cloud_region.get((cloud_provider, cloud_provider_region))
        return sorted(p.code for p in found or ())

    def cloud_providers(self) -> list[str]:
        return sorted({p.cloud_provider for p in self._pairings.values()})

    def cloud_regions(self, cloud_provider: str) -> list[str]:
        """Every region of ``cloud_provider`` some location reaches, sorted."""
        return sorted(
            {
                p.cloud_provider_region
                for p in self._pairings.values()
                if p.cloud_provider == cloud_provider
            }
        )

    def provider_spelling(self, written: str) -> str | None:
        """The provider as coverage spells it, when ``written`` differs only in case."""
        return _same_but_for_spelling(written, self.cloud_providers())

    def region_spelling(self, cloud_provider: str, written: str) -> str | None:
        """The cloud region as coverage spells it, when ``written`` differs only in case or
        punctuation (``US_EAST_1`` for ``us-east-1``)."""
        return _same_but_for_spelling(written, self.cloud_regions(cloud_provider))

    # -- suggestions -------------------------------------------------------------------------

    def nearest_codes(self, text: str, limit: int = 3) -> list[str]:
        """Codes a user most likely meant by ``text``: a misspelt code, a pop, a site or a city.

        An exact pop (``CH1``), site (``ORD``) or city name (``Chicago``) comes first; then
        codes that differ only in case or punctuation; then the closest spellings.
        """
        folded = _fold(text)
        if not folded:
            return []
        found: list[str] = []

        def add(codes: Iterable[str]) -> None:
            for code in sorted(codes):
                if code not in found:
                    found.append(code)

        if folded in self._folded_codes:
            add([self._folded_codes[folded]])
        add(c for c, loc in self._locations.items() if loc.pop and _fold(loc.pop) == folded)
        add(c for c, loc in self._locations.items() if loc.site and _fold(loc.site) == folded)
        add(
            c
            for c, loc in self._locations.items()
            if len(folded) >= 3
            and ((loc.name and _fold(loc.name).startswith(folded)) or _fold(c).startswith(folded))
        )
        close = difflib.get_close_matches(folded, list(self._folded_codes), n=limit, cutoff=0.6)
        add(self._folded_codes[c] for c in close)
        return found[:limit]

    @staticmethod
    def nearest_bandwidth(wanted: Number, offered: Sequence[Number]) -> Number | None:
        """The offered tier closest to ``wanted`` (the larger one on a tie)."""
        if not offered:
            return None
        return min(offered, key=lambda b: (abs(b - wanted), -b))
