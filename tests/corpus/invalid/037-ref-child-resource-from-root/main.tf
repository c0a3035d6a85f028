module "app" {
  source = "./modules/app"
}

output "pet" {
  value = random_pet.this.id
}
