# The course's main.tf is kept exactly as the course wrote it; what it leaves to the
# environment is here: the providers (AWS region and credentials from the usual AWS
# variables or profile, e.g. AWS_REGION=eu-west-3) and the output a user looks for.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
    archive = {
      source  = "hashicorp/archive"
      version = "~> 2.4"
    }
  }
}

provider "aws" {
  default_tags {
    tags = {
      Project = "terrane-course-lambda-api"
    }
  }
}

output "api_url" {
  description = "The API's URL: curl it once the apply is done."
  value       = module.api_gateway.api_url
}

output "function_name" {
  value = module.lambda.function_name
}
