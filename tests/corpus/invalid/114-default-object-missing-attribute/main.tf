variable "server" {
  type = object({
    name = string
    port = number
  })
  default = {
    name = "web"
  }
}
