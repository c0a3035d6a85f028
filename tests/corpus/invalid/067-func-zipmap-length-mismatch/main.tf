locals {
  names = ["a", "b", "c"]
  ports = [80, 443]
  by    = zipmap(local.names, local.ports)
}
