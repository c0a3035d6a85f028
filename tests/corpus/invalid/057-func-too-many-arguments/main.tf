locals {
  name  = "web"
  upper = upper(local.name, "extra")
}
