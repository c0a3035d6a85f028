module "app" {
  source   = "./modules/app"
  for_each = ["blue", "green"]
  name     = each.value
}
