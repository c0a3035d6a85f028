locals {
  replicas = 3
  names    = [for i in local.replicas : "node-${i}"]
}
