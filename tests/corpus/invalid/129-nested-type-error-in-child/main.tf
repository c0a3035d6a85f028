module "app" {
  source = "./modules/app"
  ports  = [80, 443]
}
