variable "queue_name" {
  type = string
}
