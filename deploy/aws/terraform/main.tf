# The bot's own IAM role chatops-bot, assumed through IRSA by its Kubernetes service account,
# with the permissions of deploy/iam-policy.json (read from the file, so it stays the one source).
# The same role as deploy/aws/chatops-bot.cfn.yaml; see deploy/aws/README.md.
#
# Trust policy: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
# Resources:    https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_role
#               https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_role_policy

data "aws_partition" "current" {}

data "aws_caller_identity" "current" {}

locals {
  provider_arn = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/${var.oidc_provider}"
}

resource "aws_iam_role" "chatops_bot" {
  name                 = "chatops-bot"
  description          = "EKS ChatOps bot (IRSA); its policy is deploy/iam-policy.json"
  permissions_boundary = var.permissions_boundary
  tags                 = var.tags

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "BotServiceAccountThroughIrsa"
      Effect    = "Allow"
      Principal = { Federated = local.provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "${var.oidc_provider}:sub" = "system:serviceaccount:${var.namespace}:${var.service_account}"
          "${var.oidc_provider}:aud" = "sts.amazonaws.com"
        }
      }
    }]
  })
}

# iam-policy.json names the aws partition; elsewhere (aws-cn, aws-us-gov) its ARNs are rewritten.
resource "aws_iam_role_policy" "chatops_bot" {
  name = "chatops-bot"
  role = aws_iam_role.chatops_bot.id
  policy = replace(
    file("${path.module}/../../iam-policy.json"),
    "\"arn:aws:",
    "\"arn:${data.aws_partition.current.partition}:",
  )
}
