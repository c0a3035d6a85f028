locals {
  script = "${path.modul}/scripts/init.sh"
}
