module "worker" {
  source = "./modules/worker"
  count  = 2
}
