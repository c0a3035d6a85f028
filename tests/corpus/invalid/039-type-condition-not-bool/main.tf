locals {
  mode  = "enabled"
  count = local.mode ? 1 : 0
}
