locals {
  motd = <<EOT
Bienvenue au café
EOT
}
