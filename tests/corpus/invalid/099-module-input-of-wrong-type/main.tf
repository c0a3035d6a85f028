module "app" {
  source   = "./modules/app"
  replicas = "three"
}
