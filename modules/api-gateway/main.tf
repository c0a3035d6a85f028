locals {
  # arn:<partition>:lambda:<region>:<account>:function:<name>
  function_arn_parts = split(":", var.function_arn)
  partition          = local.function_arn_parts[1]
  region             = local.function_arn_parts[3]
  invoke_arn         = "arn:${local.partition}:apigateway:${local.region}:lambda:path/2015-03-31/functions/${var.function_arn}/invocations"

  # "/users/" and "/users" are one route; "/" is the API's root resource.
  routes = toset([for r in var.routes : "/${trim(r, "/")}"])

  # Every path that needs a resource: "/users/{id}" needs "/users" and "/users/{id}".
  resource_paths = toset(flatten([
    for r in local.routes : [
      for i in range(length(split("/", trim(r, "/")))) :
      "/${join("/", slice(split("/", trim(r, "/")), 0, i + 1))}"
    ] if r != "/"
  ]))

  # A resource's parent must exist first, so each depth is its own resource block.
  depth1 = toset([for p in local.resource_paths : p if length(split("/", p)) == 2])
  depth2 = toset([for p in local.resource_paths : p if length(split("/", p)) == 3])
  depth3 = toset([for p in local.resource_paths : p if length(split("/", p)) == 4])

  resource_ids = merge(
    { "/" = aws_api_gateway_rest_api.this.root_resource_id },
    { for p, r in aws_api_gateway_resource.depth1 : p => r.id },
    { for p, r in aws_api_gateway_resource.depth2 : p => r.id },
    { for p, r in aws_api_gateway_resource.depth3 : p => r.id },
  )
}

resource "aws_api_gateway_rest_api" "this" {
  name = var.name

  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

resource "aws_api_gateway_resource" "depth1" {
  for_each = local.depth1

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = basename(each.key)
}

resource "aws_api_gateway_resource" "depth2" {
  for_each = local.depth2

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.depth1[dirname(each.key)].id
  path_part   = basename(each.key)
}

resource "aws_api_gateway_resource" "depth3" {
  for_each = local.depth3

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.depth2[dirname(each.key)].id
  path_part   = basename(each.key)
}

resource "aws_api_gateway_method" "route" {
  for_each = local.routes

  rest_api_id   = aws_api_gateway_rest_api.this.id
  resource_id   = local.resource_ids[each.key]
  http_method   = "ANY"
  authorization = "NONE"
}

# Lambda proxy integration: the function gets the whole request and returns the response.
resource "aws_api_gateway_integration" "route" {
  for_each = local.routes

  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = aws_api_gateway_method.route[each.key].resource_id
  http_method             = aws_api_gateway_method.route[each.key].http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = local.invoke_arn
}

# A deployment is a snapshot of the API: a new one whenever the routes or their targets
# change, created before the old one goes so the stage always has one.
resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id

  triggers = {
    redeployment = sha1(jsonencode([
      sort(tolist(local.routes)),
      [for p in sort(tolist(local.routes)) : aws_api_gateway_integration.route[p].id],
      local.invoke_arn,
    ]))
  }

  lifecycle {
    create_before_destroy = true
  }

  depends_on = [aws_api_gateway_method.route, aws_api_gateway_integration.route]
}

resource "aws_api_gateway_stage" "this" {
  rest_api_id   = aws_api_gateway_rest_api.this.id
  deployment_id = aws_api_gateway_deployment.this.id
  stage_name    = var.stage_name
}

# Lets API Gateway invoke the function, from any stage, method and path of this API.
resource "aws_lambda_permission" "api_gateway" {
  statement_id  = "AllowInvokeFrom-${var.name}"
  action        = "lambda:InvokeFunction"
  function_name = var.function_arn
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.this.execution_arn}/*/*"
}
