locals {
  city = "Zürich"
}
