# The course's main.tf is kept exactly as the course wrote it; what it leaves to the
# environment is here: the AWS provider (region and credentials from the usual AWS
# variables or profile, e.g. AWS_REGION=eu-west-3).

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  default_tags {
    tags = {
      Project = "terrane-course-asg-alb"
    }
  }
}

output "alb_dns_name" {
  description = "Open http://<this>/ once the instances are healthy."
  value       = module.alb.dns_name
}

output "asg_name" {
  value = module.asg.asg_name
}
