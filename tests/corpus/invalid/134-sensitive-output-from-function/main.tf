locals {
  token = sensitive("s3cr3t")
}

output "token" {
  value = local.token
}
