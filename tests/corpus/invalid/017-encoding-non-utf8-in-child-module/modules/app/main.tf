output "greeting" {
  value = "Grüße"
}
