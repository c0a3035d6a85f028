output "password" {
  value     = "hunter2"
  sensitive = true
}
