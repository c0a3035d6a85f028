resource "null_resource" "a" {
  triggers = {
    x = "1"
  }
}}
