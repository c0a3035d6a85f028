variable "use_list" {
  type = bool
}

locals {
  value = var.use_list ? ["a"] : { name = "a" }
}
