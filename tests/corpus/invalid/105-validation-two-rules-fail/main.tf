module "app" {
  source = "./modules/app"
  port   = 70001
}
