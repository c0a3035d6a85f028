locals {
  cidr    = "10.0.0.0/16"
  subnets = [for i in range(3) : cidrsubnet(local.cidr, 8, i)]
}

output "subnets" {
  value = local.subnet
}
