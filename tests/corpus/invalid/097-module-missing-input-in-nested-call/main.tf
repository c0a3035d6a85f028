module "platform" {
  source = "./modules/platform"
  env    = "prod"
}
