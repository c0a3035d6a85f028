variable "size" {
  type    = number
  default = 3 +
}
