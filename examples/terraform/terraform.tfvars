environment      = "production"
wireguard_region = "chicago-il"
