variable "settings" {
  type = object({
    name = string
    port = number
  })
}
