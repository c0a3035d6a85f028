locals {
  server = { name = "a", port = 80 }
  host   = local.server.hostname
}
