resorce "random_pet" "server" {
  length = 2
}
