variable "city" {
  type        = string
  description = "Nom de la ville (ex: Orléans)"
}
