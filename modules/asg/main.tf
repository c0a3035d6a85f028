# An Auto Scaling group of identical instances from a launch template, with a security
# group for the application's port, rolled by an instance refresh when the template changes.

data "aws_vpc" "this" {
  id      = var.vpc_id
  default = var.vpc_id == null
}

data "aws_subnets" "vpc" {
  count = var.subnet_ids == null ? 1 : 0

  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.this.id]
  }
}

locals {
  subnet_ids = var.subnet_ids != null ? var.subnet_ids : data.aws_subnets.vpc[0].ids
}

resource "aws_security_group" "instances" {
  name_prefix = "${var.name}-"
  description = "Instances of ${var.name}: the application port in, anything out"
  vpc_id      = data.aws_vpc.this.id

  ingress {
    description     = "The application, from the load balancer (or the VPC)"
    from_port       = var.server_port
    to_port         = var.server_port
    protocol        = "tcp"
    security_groups = var.alb_security_group_id == null ? [] : [var.alb_security_group_id]
    cidr_blocks     = var.alb_security_group_id == null ? [data.aws_vpc.this.cidr_block] : []
  }

  egress {
    description = "Anything out (packages, AWS APIs)"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = merge(var.tags, { Name = var.name })

  lifecycle {
    create_before_destroy = true

    precondition {
      condition     = var.subnet_ids == null || var.vpc_id != null
      error_message = "Set vpc_id together with subnet_ids: the security group must be in the subnets' VPC."
    }
  }
}

resource "aws_launch_template" "this" {
  name_prefix            = "${var.name}-"
  image_id               = var.ami_id
  instance_type          = var.instance_type
  vpc_security_group_ids = [aws_security_group.instances.id]
  user_data              = var.user_data == null ? null : base64encode(var.user_data)
  update_default_version = true

  tag_specifications {
    resource_type = "instance"
    tags          = merge(var.tags, { Name = var.name })
  }

  tags = var.tags
}

resource "aws_autoscaling_group" "this" {
  name                = var.name
  min_size            = var.min_size
  max_size            = var.max_size
  desired_capacity    = var.desired_capacity
  vpc_zone_identifier = local.subnet_ids
  target_group_arns   = var.target_group_arns
  health_check_type   = length(var.target_group_arns) > 0 ? "ELB" : "EC2"

  launch_template {
    id = aws_launch_template.this.id
    # latest_version changes with every new template version (a new AMI), which is what
    # starts an instance refresh; "$Latest" is a constant string and would not.
    version = aws_launch_template.this.latest_version
  }

  dynamic "instance_refresh" {
    for_each = var.instance_refresh == null ? [] : [var.instance_refresh]
    content {
      strategy = instance_refresh.value.strategy
      triggers = instance_refresh.value.triggers

      dynamic "preferences" {
        for_each = instance_refresh.value.preferences == null ? [] : [instance_refresh.value.preferences]
        content {
          min_healthy_percentage = preferences.value.min_healthy_percentage
          max_healthy_percentage = preferences.value.max_healthy_percentage
          instance_warmup        = preferences.value.instance_warmup
          checkpoint_percentages = preferences.value.checkpoint_percentages
          checkpoint_delay       = preferences.value.checkpoint_delay
          skip_matching          = preferences.value.skip_matching
          auto_rollback          = preferences.value.auto_rollback
        }
      }
    }
  }

  dynamic "tag" {
    for_each = merge(var.tags, { Name = var.name })
    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }
}
