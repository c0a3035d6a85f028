locals {
  name  = "web"
  upper = uper(local.name)
}
