module "db" {
  source = "./modules/db"
}

output "password" {
  value = module.db.password
}
