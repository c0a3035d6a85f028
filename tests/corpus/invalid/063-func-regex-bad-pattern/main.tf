locals {
  pattern = "^ami-[0-9a-f+$"
  ok      = regex(local.pattern, "ami-123")
}
