resource "random_string" "token" {
  length = 16
}
}
