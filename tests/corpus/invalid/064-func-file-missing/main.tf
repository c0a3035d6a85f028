locals {
  path   = "${path.module}/files/missing.txt"
  script = file(local.path)
}
