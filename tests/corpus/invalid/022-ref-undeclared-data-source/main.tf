data "local_file" "config" {
  filename = "${path.module}/config.json"
}

locals {
  settings = jsondecode(data.local_file.settings.content)
}
