variable "name" {
  type = optional(string)
}
