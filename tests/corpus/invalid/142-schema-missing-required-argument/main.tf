resource "local_file" "note" {
  content = "hello"
}
