variable "zones" {
  type = list
}
