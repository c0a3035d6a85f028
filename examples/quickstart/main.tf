# The offline quickstart: no cloud account, no network. Built-in providers only.

terraform {
  required_version = ">= 1.5"
}

variable "greetings" {
  description = "Who to greet, and how."
  type = map(object({
    language = string
    shout    = optional(bool, false)
  }))
  default = {
    alice = { language = "en" }
    bruno = { language = "fr", shout = true }
  }
}

resource "random_pet" "server" {
  length = 2
}

module "greeting" {
  source   = "./modules/greeting"
  for_each = var.greetings

  name     = each.key
  language = each.value.language
  shout    = each.value.shout
}

resource "terraform_data" "summary" {
  input = {
    server    = random_pet.server.id
    greetings = [for name, g in module.greeting : g.text]
  }
}

output "server_name" {
  value = random_pet.server.id
}

output "greetings" {
  value = { for name, g in module.greeting : name => g.text }
}
