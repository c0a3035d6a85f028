locals {
  greeting = "café"
}
