"""The single active scheduler (leader-gated APScheduler) and the RDS schedule sweep it runs."""
