data "local_file" "config" {
  filename = "config.json"
}
