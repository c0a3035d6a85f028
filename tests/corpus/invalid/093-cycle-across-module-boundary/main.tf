module "app" {
  source = "./modules/app"
  name   = module.app.full_name
}
