variable "name" {
  description = "Name of the load balancer and its target group (at most 32 characters)."
  type        = string

  validation {
    condition     = length(var.name) <= 32
    error_message = "AWS limits load balancer and target group names to 32 characters."
  }
}

variable "port" {
  description = "Port the load balancer listens on (HTTP)."
  type        = number
  default     = 80
}

variable "target_port" {
  description = "Port of the instances that receive the traffic (the course's app listens on 8080)."
  type        = number
  default     = 8080
}

variable "health_check_path" {
  description = "Path the target group's health check requests."
  type        = string
  default     = "/"
}

variable "vpc_id" {
  description = "VPC to create the load balancer in. Default: the region's default VPC."
  type        = string
  default     = null
}

variable "subnet_ids" {
  description = "Subnets (in at least two availability zones) for the load balancer. Default: the subnets of the VPC."
  type        = list(string)
  default     = null
}

variable "tags" {
  description = "Tags for everything the module creates."
  type        = map(string)
  default     = {}
}
