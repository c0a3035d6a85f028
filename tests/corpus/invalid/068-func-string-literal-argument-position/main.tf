locals {
  ok = regex("[", "x")
}
