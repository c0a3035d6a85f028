resource "random_pet" "server" {
  length = 2

  lifecycle {
    prevent_destory = true
  }
}
