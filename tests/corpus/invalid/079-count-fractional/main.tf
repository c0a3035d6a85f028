locals {
  replicas = 5 / 2
}

resource "random_pet" "server" {
  count  = local.replicas
  length = 2
}
