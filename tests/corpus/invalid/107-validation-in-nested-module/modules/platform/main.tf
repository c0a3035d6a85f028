module "cache" {
  source     = "../cache"
  node_count = 0
}
