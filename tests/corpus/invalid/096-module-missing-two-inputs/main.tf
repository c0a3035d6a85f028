module "database" {
  source = "./modules/db"
  engine = "postgres"
}
