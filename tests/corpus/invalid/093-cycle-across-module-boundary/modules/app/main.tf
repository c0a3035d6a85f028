variable "name" {
  type = string
}

output "full_name" {
  value = "app-${var.name}"
}
