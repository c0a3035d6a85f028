locals {
  servers = [{ name = "a" }, { name = "b" }]
  names   = local.servers.name
}
