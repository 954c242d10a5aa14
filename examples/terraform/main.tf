locals {
  name_prefix = "acme-${var.environment}"

  # One VXC per cloud connection; the module below is called once per entry.
  cloud_connections = {
    aws_east = {
      region_code           = "chicago-il"
      cloud_provider        = "aws"
      cloud_provider_region = "us-east-1"
    }
    gce_frankfurt = {
      region_code           = "frankfurt-de"
      cloud_provider        = "gce"
      cloud_provider_region = "europe-west3"
    }
    azure_amsterdam = {
      region_code           = "amsterdam-nl"
      cloud_provider        = "azure"
      cloud_provider_region = "West Europe"
    }
  }
}

resource "telnyx_network" "core" {
  name = "${local.name_prefix}-core"
}

resource "telnyx_wireguard_interface" "office" {
  network_id  = telnyx_network.core.id
  name        = "${local.name_prefix}-office-vpn"
  region_code = var.wireguard_region
}

resource "telnyx_public_internet_gateway" "egress" {
  for_each = toset([var.gateway_region, "seattle-wa"])

  network_id  = telnyx_network.core.id
  name        = "${local.name_prefix}-egress-${each.key}"
  region_code = each.value
}

resource "telnyx_private_wireless_gateway" "iot" {
  network_id  = telnyx_network.core.id
  name        = "${local.name_prefix}-iot"
  region_code = "CH1"
}

module "cloud_vxc" {
  source   = "./modules/cloud-vxc"
  for_each = local.cloud_connections

  network_id            = telnyx_network.core.id
  name                  = "${local.name_prefix}-${each.key}"
  region_code           = each.value.region_code
  cloud_provider        = each.value.cloud_provider
  cloud_provider_region = each.value.cloud_provider_region
  cloud_account_id      = var.aws_account_id
  bandwidth_mbps        = lookup(var.vxc_bandwidth_mbps, var.environment, 100)
}
