variable "name" {
  type = string
}

variable "language" {
  type = string
  validation {
    condition     = contains(["en", "fr"], var.language)
    error_message = "Only \"en\" and \"fr\" greetings are known."
  }
}

variable "shout" {
  type    = bool
  default = false
}

locals {
  words = {
    en = "Hello"
    fr = "Bonjour"
  }
  text = "${local.words[var.language]}, ${var.name}!"
}

resource "local_file" "greeting" {
  filename = "${path.root}/out/${var.name}.txt"
  content  = var.shout ? upper(local.text) : local.text
}

output "text" {
  value = local_file.greeting.content
}
