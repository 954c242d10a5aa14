terraform {
  required_version = ">= 1.5"
  required_providers {
    telnyx = {
      source = "example/telnyx"
    }
  }
}
