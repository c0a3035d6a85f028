locals {
  vpc_cidr = "10.0.0.0/16"
  subnet   = cidrsubnet(local.vpc_cidr, 20, 0)
}
