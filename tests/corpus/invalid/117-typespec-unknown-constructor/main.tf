variable "tags" {
  type = dict(string)
}
