locals {
  name = "na√ve"
}
