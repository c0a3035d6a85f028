locals {
  zones = ["a", "b", "c"
  count = 3
}
