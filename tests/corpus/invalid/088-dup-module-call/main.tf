module "app" {
  source = "./modules/app"
}

module "app" {
  source = "./modules/app"
}
