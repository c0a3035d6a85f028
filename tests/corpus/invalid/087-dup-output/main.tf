output "id" {
  value = "a"
}

output "id" {
  value = "b"
}
