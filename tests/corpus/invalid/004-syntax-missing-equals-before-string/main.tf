resource "local_file" "readme" {
  filename "README.md"
  content  = "hello"
}
