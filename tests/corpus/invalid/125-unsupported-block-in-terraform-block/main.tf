terraform {
  required_provider {
    random = {
      source = "hashicorp/random"
    }
  }
}
