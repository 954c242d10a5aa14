variable "network_id" {
  type = string
}

variable "name" {
  type = string
}

variable "region_code" {
  type = string
}

variable "cloud_provider" {
  type = string
}

variable "cloud_provider_region" {
  type = string
}

variable "cloud_account_id" {
  type = string
}

variable "bandwidth_mbps" {
  type    = number
  default = 100
}

variable "bgp_asn" {
  type    = number
  default = 64512
}

resource "telnyx_virtual_cross_connect" "this" {
  network_id               = var.network_id
  name                     = var.name
  region_code              = var.region_code
  cloud_provider           = var.cloud_provider
  cloud_provider_region    = var.cloud_provider_region
  primary_cloud_account_id = var.cloud_account_id
  bgp_asn                  = var.bgp_asn
  bandwidth_mbps           = var.bandwidth_mbps
}

output "id" {
  value = telnyx_virtual_cross_connect.this.id
}
