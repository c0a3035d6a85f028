locals {
  region = "eu-west-1"
  name   = local.region.name
}
