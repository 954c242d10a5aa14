"""Terraform the tests share."""

MIXED_MODULE = """
resource "telnyx_wireguard_interface" "ok" {
  network_id  = "net-1"
  region_code = "chicago-il"
}

resource "telnyx_wireguard_interface" "nowhere" {
  network_id  = "net-1"
  region_code = "atlantis"
}

resource "telnyx_virtual_cross_connect" "aws" {
  network_id               = "net-1"
  region_code              = "chicago-il"
  cloud_provider           = "aws"
  cloud_provider_region    = "us-east-1"
  bgp_asn                  = 64512
  primary_cloud_account_id = "123456789012"
  bandwidth_mbps           = 300
}
"""
"""One resource that passes (ok), one unknown location (TNX001), one bandwidth not offered
(TNX004)."""
