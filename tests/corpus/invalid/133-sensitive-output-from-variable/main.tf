variable "db_password" {
  type      = string
  sensitive = true
}

output "connection" {
  value = "postgres://admin:${var.db_password}@db:5432/app"
}
