output "api_url" {
  description = "URL of the stage: the route \"/users\" is \"<api_url>/users\"."
  value       = aws_api_gateway_stage.this.invoke_url
}

output "rest_api_id" {
  description = "ID of the REST API."
  value       = aws_api_gateway_rest_api.this.id
}

output "execution_arn" {
  description = "Execution ARN of the API (for more Lambda permissions)."
  value       = aws_api_gateway_rest_api.this.execution_arn
}
