"""EKS ChatOps bot: Slack surface, services, persistence and sandbox harness."""
