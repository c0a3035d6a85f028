variable "name" {
  description = "Name of the Auto Scaling group (also the prefix of its launch template and security group)."
  type        = string
}

variable "ami_id" {
  description = "AMI the instances run (e.g. the one Packer built). A new AMI makes a new launch template version and, with instance_refresh, rolls the instances."
  type        = string
}

variable "instance_type" {
  description = "EC2 instance type."
  type        = string
  default     = "t2.micro"
}

variable "min_size" {
  description = "Minimum number of instances."
  type        = number
}

variable "max_size" {
  description = "Maximum number of instances."
  type        = number
}

variable "desired_capacity" {
  description = "Number of instances to run."
  type        = number
}

variable "target_group_arns" {
  description = "Load balancer target groups the instances register in. With any, the group uses the load balancer's health checks."
  type        = list(string)
  default     = []
}

variable "vpc_id" {
  description = "VPC of the instances. Default: the region's default VPC. Set it when you set subnet_ids."
  type        = string
  default     = null
}

variable "subnet_ids" {
  description = "Subnets to launch the instances in. Default: the subnets of the VPC."
  type        = list(string)
  default     = null
}

variable "server_port" {
  description = "Port the application on the instances listens on (the course's app: 8080)."
  type        = number
  default     = 8080
}

variable "alb_security_group_id" {
  description = "Security group of the load balancer in front: only it may reach server_port. Default: the whole VPC may."
  type        = string
  default     = null
}

variable "user_data" {
  description = "Script run at the instances' first boot (plain text; the module encodes it)."
  type        = string
  default     = null
}

variable "instance_refresh" {
  description = "How a launch template change rolls the instances (the aws_autoscaling_group instance_refresh block). null: no refresh, new instances only get the new template."
  type = object({
    strategy = string
    preferences = optional(object({
      min_healthy_percentage = optional(number)
      max_healthy_percentage = optional(number)
      instance_warmup        = optional(number)
      checkpoint_percentages = optional(list(number))
      checkpoint_delay       = optional(number)
      skip_matching          = optional(bool)
      auto_rollback          = optional(bool)
    }))
    triggers = optional(list(string))
  })
  default = {
    strategy = "Rolling"
    preferences = {
      min_healthy_percentage = 50
    }
  }
}

variable "tags" {
  description = "Tags for everything the module creates (propagated to the instances)."
  type        = map(string)
  default     = {}
}
