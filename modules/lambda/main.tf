data "aws_partition" "current" {}

# The package: a zip of src_dir. Its bytes depend only on the files' names, contents and
# modes (fixed timestamps and order), so an unchanged directory never updates the function.
# It is written under .terraform/ of the root module, like Terraform's own working files.
data "archive_file" "package" {
  type        = "zip"
  source_dir  = var.src_dir
  output_path = "${path.root}/.terraform/lambda/${var.name}.zip"
}

data "aws_iam_policy_document" "assume_role" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = "${var.name}-role"
  assume_role_policy = data.aws_iam_policy_document.assume_role.json
}

# Lets the function write its logs to CloudWatch Logs.
resource "aws_iam_role_policy_attachment" "basic_execution" {
  role       = aws_iam_role.this.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_lambda_function" "this" {
  function_name    = var.name
  role             = aws_iam_role.this.arn
  runtime          = var.runtime
  handler          = var.handler
  filename         = data.archive_file.package.output_path
  source_code_hash = data.archive_file.package.output_base64sha256
  memory_size      = var.memory_size
  timeout          = var.timeout

  dynamic "environment" {
    for_each = length(var.environment) > 0 ? [var.environment] : []
    content {
      variables = environment.value
    }
  }

  # The role must be able to write logs before the function first runs.
  depends_on = [aws_iam_role_policy_attachment.basic_execution]
}
