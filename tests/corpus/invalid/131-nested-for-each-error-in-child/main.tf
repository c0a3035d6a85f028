module "app" {
  source = "./modules/app"
  names  = ["a", "b"]
}
