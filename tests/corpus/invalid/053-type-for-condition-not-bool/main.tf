locals {
  ports = [80, 443, 8080]
  open  = [for p in local.ports : p if p]
}
