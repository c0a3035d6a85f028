locals {
  enabled  = "yes"
  disabled = !local.enabled
}
