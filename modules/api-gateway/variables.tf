variable "name" {
  description = "Name of the REST API."
  type        = string
}

variable "function_arn" {
  description = "ARN of the Lambda function every route invokes (its region is the API's)."
  type        = string
}

variable "routes" {
  description = "Paths served by the function, each with every HTTP method (ANY): \"/\", \"/users\", \"/users/{id}\"."
  type        = list(string)
  default     = ["/"]

  validation {
    condition = alltrue([
      for r in var.routes : startswith(r, "/") && length(split("/", trim(r, "/"))) <= 3
    ])
    error_message = "Each route is a path that starts with \"/\" and has at most three segments (\"/users/{id}/orders\")."
  }
}

variable "stage_name" {
  description = "Name of the stage, the first segment of the API's URL path."
  type        = string
  default     = "prod"
}
