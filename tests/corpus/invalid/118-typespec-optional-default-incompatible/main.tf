variable "server" {
  type = object({
    name = string
    port = optional(number, "eighty")
  })
}
