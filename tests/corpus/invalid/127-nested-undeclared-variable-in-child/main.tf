module "app" {
  source = "./modules/app"
  name   = "web"
}
