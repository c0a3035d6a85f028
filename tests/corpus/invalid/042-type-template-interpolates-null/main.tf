locals {
  owner = null
  tag   = "owner-${local.owner}"
}
