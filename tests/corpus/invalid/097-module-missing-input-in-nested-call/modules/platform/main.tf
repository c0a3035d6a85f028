variable "env" {
  type = string
}

module "queue" {
  source = "../queue"
}
