"""Pydantic models mirroring the Telnyx coverage API's JSON one to one.

Nothing else in the code touches raw JSON from the API: every response is validated here.
Unknown fields are kept (``extra="allow"``) so that a snapshot written from a live answer
holds the items exactly as the API returned them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


class _ApiModel(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


def _bandwidth(value: object) -> object:
    """The spec types bandwidth as ``number``: ``50.0`` and ``50`` are the same tier."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Bandwidth = Annotated[int | float, BeforeValidator(_bandwidth)]


class Location(_ApiModel):
    """A Telnyx location: ``code`` is the ``region_code`` resources are placed with."""

    region: str | None = None
    site: str | None = None
    pop: str | None = None
    name: str | None = None
    code: str


class NetworkCoverage(_ApiModel):
    """One item of ``GET /network_coverage``: a location and the services it offers."""

    available_services: list[str] = Field(default_factory=list)
    location: Location
    record_type: str = "network_coverage"


class VirtualCrossConnectsCoverage(_ApiModel):
    """One item of ``GET /virtual_cross_connects_coverage``: a location-to-cloud pairing."""

    cloud_provider: str
    cloud_provider_region: str
    location: Location
    available_bandwidth: list[Bandwidth] = Field(default_factory=list)
    record_type: str = "virtual_cross_connects_coverage"


class PaginationMeta(_ApiModel):
    """The ``meta`` object of every list response."""

    page_number: int
    page_size: int | None = None
    total_pages: int
    total_results: int | None = None


class NetworkCoveragePage(_ApiModel):
    data: list[NetworkCoverage]
    meta: PaginationMeta


class VirtualCrossConnectsCoveragePage(_ApiModel):
    data: list[VirtualCrossConnectsCoverage]
    meta: PaginationMeta


class ErrorSource(_ApiModel):
    pointer: str | None = None
    parameter: str | None = None


class TelnyxError(_ApiModel):
    """One entry of a Telnyx error body's ``errors`` list."""

    code: str | None = None
    title: str | None = None
    detail: str | None = None
    source: ErrorSource | None = None
    meta: dict[str, object] | None = None


class ErrorBody(_ApiModel):
    """``{"errors": [...]}``: the body of every Telnyx error response."""

    errors: list[TelnyxError] = Field(default_factory=list)


class Snapshot(BaseModel):
    """The snapshot file (version 1): both coverage lists as the API returned them."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1]
    fetched_at: datetime
    base_url: str
    network_coverage: list[NetworkCoverage]
    virtual_cross_connects_coverage: list[VirtualCrossConnectsCoverage]
