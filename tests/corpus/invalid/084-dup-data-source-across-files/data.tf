data "local_file" "config" {
  filename = "other.json"
}
