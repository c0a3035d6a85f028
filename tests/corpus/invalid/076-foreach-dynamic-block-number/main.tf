resource "aws_security_group" "web" {
  name = "web"

  dynamic "ingress" {
    for_each = 3
    content {
      from_port = ingress.value
      to_port   = ingress.value
      protocol  = "tcp"
    }
  }
}
