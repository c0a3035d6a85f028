locals {
  enabled = "yes"
  banner  = "feature %{if local.enabled}on%{else}off%{endif}"
}
