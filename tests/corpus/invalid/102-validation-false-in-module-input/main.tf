module "app" {
  source = "./modules/app"
  name   = "x"
}
