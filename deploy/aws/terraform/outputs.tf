output "role_arn" {
  description = "The value of the service account's eks.amazonaws.com/role-arn annotation."
  value       = aws_iam_role.chatops_bot.arn
}
