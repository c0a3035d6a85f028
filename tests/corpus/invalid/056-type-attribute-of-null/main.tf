locals {
  server = null
  name   = local.server.name
}
