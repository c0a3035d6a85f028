locals {
  first  = local.third
  second = local.first
  third  = local.second
}
