variable "office_regions" {
  type    = list(string)
  default = ["chicago-il", "warsaw-pl"]
}

variable "edges" {
  type = map(object({
    region_code           = string
    cloud_provider_region = string
    bandwidth_mbps        = number
  }))
  default = {
    eu = {
      region_code           = "frankfurt-de"
      cloud_provider_region = "eu-central-1"
      bandwidth_mbps        = 500
    }
    us = {
      region_code           = "chicago-il"
      cloud_provider_region = "us-east-2"
      bandwidth_mbps        = 200
    }
  }
}

variable "iot_network_id" {
  type    = string
  default = "6a09cdc3-8948-47f0-aa62-74ac943d6c58"
}
