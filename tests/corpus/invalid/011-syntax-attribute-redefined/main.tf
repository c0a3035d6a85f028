resource "random_string" "token" {
  length  = 16
  special = false
  length  = 32
}
