module "app" {
  source = "./modules/app"
  count  = -2
}
