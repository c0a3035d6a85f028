resource "random_pet" "server" {
  for_each = toset(["alpha", "beta"])
  prefix   = each.key
}

resource "null_resource" "report" {
  triggers = {
    names = random_pet.server.id
  }
}
