locals {
  region = "eu-west-1"
  banner = `hello`
}
