variable "network_id" {
  type = string
}

variable "region_code" {
  type = string
}

variable "cloud_provider_region" {
  type = string
}

variable "bandwidth_mbps" {
  type = number
}

variable "enabled" {
  type    = bool
  default = true
}

resource "telnyx_virtual_cross_connect" "aws" {
  count = var.enabled ? 1 : 0

  network_id               = var.network_id
  name                     = "edge-${var.region_code}"
  region_code              = var.region_code
  cloud_provider           = "aws"
  cloud_provider_region    = var.cloud_provider_region
  primary_cloud_account_id = "123456789012"
  bgp_asn                  = 64512
  bandwidth_mbps           = var.bandwidth_mbps
}

output "id" {
  value = one(telnyx_virtual_cross_connect.aws[*].id)
}
