variable "name" {
  type = string
}

output "all" {
  value = var
}
