module "network" {
  source = "./modules/network"
}

output "vpc_id" {
  value = module.netwrk.vpc_id
}
