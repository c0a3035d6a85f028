module "app" {
  source = "./modules/app"
  settings = {
    name = "web"
  }
}
