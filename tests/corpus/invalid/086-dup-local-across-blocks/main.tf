locals {
  name = "web"
}

locals {
  name = "api"
}
