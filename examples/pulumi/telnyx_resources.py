"""Telnyx resources for a Pulumi program, declared by hand.

There is no Pulumi Telnyx provider yet. These classes mirror what Pulumi's Terraform bridge
would generate from the Telnyx Terraform provider: one class per resource, the type token
``telnyx:index/<camelName>:<Name>``, snake_case Python arguments sent to the engine as
camelCase properties (``bandwidth_mbps`` -> ``bandwidthMbps``). telnyx-coverage recognises
resources by those type tokens, so a generated SDK would be checked the same way.
"""

from __future__ import annotations

from typing import Any

import pulumi


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


class _TelnyxResource(pulumi.CustomResource):
    TYPE = ""

    def __init__(
        self, resource_name: str, opts: pulumi.ResourceOptions | None = None, **args: Any
    ) -> None:
        props = {_camel(key): value for key, value in args.items()}
        super().__init__(self.TYPE, resource_name, props, opts)


class Network(_TelnyxResource):
    """A Telnyx network: the private network the interfaces and connections join."""

    TYPE = "telnyx:index/network:Network"


class WireguardInterface(_TelnyxResource):
    """A WireGuard interface of a network, at a Telnyx location (``region_code``)."""

    TYPE = "telnyx:index/wireguardInterface:WireguardInterface"


class VirtualCrossConnect(_TelnyxResource):
    """A Virtual Cross Connect from a Telnyx location to a cloud region."""

    TYPE = "telnyx:index/virtualCrossConnect:VirtualCrossConnect"


class PublicInternetGateway(_TelnyxResource):
    """A public internet gateway of a network, at a Telnyx location."""

    TYPE = "telnyx:index/publicInternetGateway:PublicInternetGateway"
