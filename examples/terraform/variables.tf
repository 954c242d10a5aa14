variable "environment" {
  type    = string
  default = "staging"
}

variable "wireguard_region" {
  description = "Telnyx location code of the WireGuard interface (set in terraform.tfvars)."
  type        = string
}

variable "gateway_region" {
  type    = string
  default = "frankfurt-de"
}

variable "aws_account_id" {
  type    = string
  default = "123456789012"
}

variable "vxc_bandwidth_mbps" {
  description = "Bandwidth of each VXC, per environment."
  type        = map(number)
  default = {
    staging    = 200
    production = 1000
  }
}
