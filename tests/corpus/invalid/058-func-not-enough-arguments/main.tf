locals {
  name  = "web-server"
  short = replace(local.name, "-server")
}
