module "app" {
  source       = "./modules/app"
  replicas     = 2
  regoin       = "eu-west-1"
  instance_typ = "t3.micro"
}
