variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "zone" {
  type    = string
  default = "${var.region}a"
}
