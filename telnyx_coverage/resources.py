"""What the checks run on: the planned resources every front end produces.

A front end (Terraform HCL, plan JSON, Pulumi) turns its input into a list of
:class:`PlannedResource`; the engine knows nothing else about where they came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final


class _Unknown:
    """A value that cannot be known before apply (another resource's output, a data source...)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()
"""The one marker for "known only after apply"."""


def is_unknown(value: object) -> bool:
    """True when ``value`` is, or contains, :data:`UNKNOWN`."""
    if value is UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(is_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(is_unknown(v) for v in value)
    return False


class ResourceKind(StrEnum):
    """The Telnyx networking resources whose placement coverage governs."""

    VIRTUAL_CROSS_CONNECT = "virtual_cross_connect"
    WIREGUARD_INTERFACE = "wireguard_interface"
    PUBLIC_INTERNET_GATEWAY = "public_internet_gateway"
    PRIVATE_WIRELESS_GATEWAY = "private_wireless_gateway"


@dataclass(frozen=True)
class KindInfo:
    """How Telnyx names a kind: its service in coverage, its API path, its required fields."""

    kind: ResourceKind
    service: str
    api_path: str
    terraform_type: str
    pulumi_type: str
    required: tuple[str, ...]


KINDS: Final[dict[ResourceKind, KindInfo]] = {
    info.kind: info
    for info in (
        KindInfo(
            ResourceKind.VIRTUAL_CROSS_CONNECT,
            service="virtual_cross_connect",
            api_path="virtual_cross_connects",
            terraform_type="telnyx_virtual_cross_connect",
            pulumi_type="telnyx:index/virtualCrossConnect:VirtualCrossConnect",
            required=(
                "network_id",
                "region_code",
                "cloud_provider",
                "cloud_provider_region",
                "bgp_asn",
                "primary_cloud_account_id",
            ),
        ),
        KindInfo(
            ResourceKind.WIREGUARD_INTERFACE,
            service="cloud_vpn",
            api_path="wireguard_interfaces",
            terraform_type="telnyx_wireguard_interface",
            pulumi_type="telnyx:index/wireguardInterface:WireguardInterface",
            required=("network_id", "region_code"),
        ),
        KindInfo(
            ResourceKind.PUBLIC_INTERNET_GATEWAY,
            service="public_internet_gateway",
            api_path="public_internet_gateways",
            terraform_type="telnyx_public_internet_gateway",
            pulumi_type="telnyx:index/publicInternetGateway:PublicInternetGateway",
            # The spec lists none; the guides always send both, and without region_code
            # the gateway's placement cannot be checked.
            required=("network_id", "region_code"),
        ),
        KindInfo(
            ResourceKind.PRIVATE_WIRELESS_GATEWAY,
            service="private_wireless_gateway",
            api_path="private_wireless_gateways",
            terraform_type="telnyx_private_wireless_gateway",
            pulumi_type="telnyx:index/privateWirelessGateway:PrivateWirelessGateway",
            required=("network_id", "name"),
        ),
    )
}

TERRAFORM_TYPES: Final[dict[str, ResourceKind]] = {i.terraform_type: i.kind for i in KINDS.values()}
PULUMI_TYPES: Final[dict[str, ResourceKind]] = {i.pulumi_type: i.kind for i in KINDS.values()}

PLACEMENT_ATTRIBUTES: Final = (
    "region_code",
    "cloud_provider",
    "cloud_provider_region",
    "bandwidth_mbps",
)
"""The API fields the checks read; a front end may rename them through a mapping."""


MAPPABLE_FIELDS: Final = (
    "region_code",
    "cloud_provider",
    "cloud_provider_region",
    "bandwidth_mbps",
    "network_id",
    "name",
    "bgp_asn",
    "primary_cloud_account_id",
)
"""The API fields a resource type or a module may carry under names of its own."""


@dataclass(frozen=True)
class TypeMapping:
    """How a resource type (or a module, or a Pulumi type token) carries a kind's API fields.

    ``attributes`` maps an API field (``region_code``) to the name the type uses for it
    (``location``); a field it does not name is read under its own name.
    """

    kind: ResourceKind
    attributes: Mapping[str, str] = field(default_factory=dict)

    def attribute(self, api_field: str) -> str:
        """The name this type uses for ``api_field``: its mapped name, else the field's own."""
        return self.attributes.get(api_field, api_field)

    def fields(self) -> dict[str, str]:
        """Every API field the checks may read, to the name this type uses for it."""
        return {api_field: self.attribute(api_field) for api_field in MAPPABLE_FIELDS}


RESTAPI_TERRAFORM_TYPE: Final = "restapi_object"
"""The ``Mastercard/restapi`` provider's resource: its kind comes from its ``path``."""


def kind_for_api_path(path: str) -> ResourceKind | None:
    """The kind a REST path creates: ``/v2/virtual_cross_connects/`` -> virtual_cross_connect.

    A query string or fragment (``/v2/wireguard_interfaces?x=1``) does not change the kind.
    """
    bare = path.strip().split("#", 1)[0].split("?", 1)[0]
    last = bare.rstrip("/").rsplit("/", 1)[-1]
    for info in KINDS.values():
        if last == info.api_path:
            return info.kind
    return None


def kind_for_restapi_object(path: object, create_path: object = None) -> ResourceKind | None:
    """The kind a ``restapi_object`` creates: it POSTs to ``create_path`` when that is set,
    else to ``path``. A path that is not a string (unknown before apply) says nothing."""
    for candidate in (create_path, path):
        kind = kind_for_api_path(candidate) if isinstance(candidate, str) else None
        if kind is not None:
            return kind
    return None


@dataclass(frozen=True)
class Suppression:
    """An inline ``telnyx-coverage:ignore`` comment or a config ``ignore`` entry."""

    rules: frozenset[str]
    """Rule ids it silences; empty means every rule."""
    until: str | None = None
    """ISO date after which it no longer silences."""
    reason: str = ""
    file: str | None = None
    line: int | None = None


@dataclass
class PlannedResource:
    """One resource a plan would create or update, in the API's own field names.

    ``values`` maps API field names to their planned values; a field that is absent is not
    in the dict, a field known only after apply holds :data:`UNKNOWN`.
    """

    address: str
    kind: ResourceKind
    values: dict[str, Any]
    file: str | None = None
    line: int | None = None
    """1-based line of the block (resource, module call) that declares it."""
    attribute_lines: dict[str, int] = field(default_factory=dict)
    """1-based line of each attribute written in the source (or in the module call feeding it)."""
    source_type: str = ""
    """The type as written: ``telnyx_virtual_cross_connect``, ``restapi_object``, a Pulumi token."""
    suppressions: tuple[Suppression, ...] = ()
    origin: str = "hcl"
    """Which front end planned it: ``hcl`` (Terraform code), ``plan`` (plan JSON), ``pulumi``."""
    required: tuple[str, ...] | None = None
    """The fields TNX006 asks of it; None means its kind's (a mapped module's are its own)."""
    attribute_files: dict[str, str] = field(default_factory=dict)
    """The file of an attribute whose line is in another file than the block (a module call)."""

    def line_of(self, attribute: str | None) -> int | None:
        """The line a finding about ``attribute`` points at: the attribute's, else the block's."""
        if attribute is not None and attribute in self.attribute_lines:
            return self.attribute_lines[attribute]
        return self.line

    def file_of(self, attribute: str | None) -> str | None:
        """The file :meth:`line_of` is a line of: the module call's when the value comes from it."""
        if attribute is not None and attribute in self.attribute_files:
            return self.attribute_files[attribute]
        return self.file
