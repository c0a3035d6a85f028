module "network" {
  source = "./modules/network"
}

output "vpc_id" {
  value = module.network.vpcid
}
