locals {
  replicas = 3
  hosts    = "%{for h in local.replicas}${h} %{endfor}"
}
