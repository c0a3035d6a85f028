variable "name" {
  type        = string
  descripton = "The name of the server."
}
