locals {
  name = "web"
  ks   = keys(local.name)
}
