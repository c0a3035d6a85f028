locals {
  rendered = templatefile("${path.module}/init.tftpl", { name = "web" })
}
