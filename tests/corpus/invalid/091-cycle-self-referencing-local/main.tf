locals {
  counter = local.counter + 1
}
