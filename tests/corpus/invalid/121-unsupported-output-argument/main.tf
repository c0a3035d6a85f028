output "id" {
  value     = "a"
  sensitve  = true
}
