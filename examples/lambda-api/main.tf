module "lambda" {
  source = "../../modules/lambda"

  name    = "sample-app-lambda"
  src_dir = "${path.module}/src"
  runtime = "nodejs20.x"
  handler = "index.handler"
}

module "api_gateway" {
  source = "../../modules/api-gateway"

  name         = "sample-app-api"
  function_arn = module.lambda.function_arn
}
