locals {
  script = <<EOT
#!/bin/sh
echo hello
}
