locals {
  offset   = "ten"
  negative = -local.offset
}
