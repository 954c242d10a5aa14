"""A Telnyx network with a WireGuard interface and VXCs to two clouds.

Check it without the Pulumi CLI:
    telnyx-coverage check --pulumi examples/pulumi --coverage examples/coverage-snapshot.json
It has one deliberate mistake: the AWS VXC asks for 1000 Mbps, which chicago-il does not
offer to aws us-east-1 (TNX004).
"""

import pulumi
from telnyx_resources import Network, VirtualCrossConnect, WireguardInterface

config = pulumi.Config()
prefix = f"acme-{pulumi.get_stack()}"

network = Network("core", name=f"{prefix}-core")

# The region comes from the stack's config (Pulumi.dev.yaml); the network id is another
# resource's output, unknown before apply, which the checks do not need.
office = WireguardInterface(
    "office",
    network_id=network.id,
    name=f"{prefix}-office-vpn",
    region_code=config.require("wireguardRegion"),
)

aws_east = VirtualCrossConnect(
    "aws-east",
    network_id=network.id,
    name=f"{prefix}-aws-east",
    region_code="chicago-il",
    cloud_provider="aws",
    cloud_provider_region="us-east-1",
    bandwidth_mbps=1000,
    bgp_asn=64512,
    primary_cloud_account_id=config.require("awsAccountId"),
)

gce_frankfurt = VirtualCrossConnect(
    "gce-frankfurt",
    network_id=network.id,
    name=f"{prefix}-gce-frankfurt",
    region_code="frankfurt-de",
    cloud_provider="gce",
    cloud_provider_region="europe-west3",
    bandwidth_mbps=config.get_int("vxcBandwidthMbps"),
    bgp_asn=64513,
    primary_cloud_account_id=config.require("gcePairingKey"),
)

pulumi.export("network_id", network.id)
