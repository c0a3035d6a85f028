terraform {
  required_version = ">= one"
}
