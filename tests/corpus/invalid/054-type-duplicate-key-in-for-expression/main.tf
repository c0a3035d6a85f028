locals {
  servers = [
    { name = "web", zone = "a" },
    { name = "web", zone = "b" },
  ]
  by_name = { for s in local.servers : s.name => s.zone }
}
