locals {
  base  = 10
  total = local.base + * 2
}
