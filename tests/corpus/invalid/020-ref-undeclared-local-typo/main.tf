locals {
  environment = "prod"
}

output "env" {
  value = local.enviroment
}
