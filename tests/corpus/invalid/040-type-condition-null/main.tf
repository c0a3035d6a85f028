locals {
  flag = null
  size = local.flag ? "large" : "small"
}
