variable "oidc_provider" {
  description = "The cluster's OIDC issuer without https:// (for example oidc.eks.ap-northeast-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B716D3041E); its IAM OIDC provider must exist in this account."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9.-]+(/[A-Za-z0-9._-]+)*$", var.oidc_provider))
    error_message = "oidc_provider is the issuer's host and path, without https:// and without a trailing slash."
  }
}

variable "namespace" {
  description = "The Kubernetes namespace of the bot's service account."
  type        = string
  default     = "chatops"
}

variable "service_account" {
  description = "The name of the bot's Kubernetes service account."
  type        = string
  default     = "chatops-bot"
}

variable "permissions_boundary" {
  description = "Optional ARN of a managed policy to set as the role's permissions boundary."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for the role."
  type        = map(string)
  default     = {}
}
