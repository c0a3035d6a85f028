locals {
  prefix = "web"
  total  = local.prefix + 1
}
