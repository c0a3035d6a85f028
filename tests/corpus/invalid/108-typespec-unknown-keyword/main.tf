variable "name" {
  type = strng
}
