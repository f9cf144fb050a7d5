"""Edge translators for AWS (boto3) and Kubernetes (official client).

They build clients from settings, count calls (for benchmarks and call-budget tests) and turn
library exceptions into ``bot.errors``. Diagnosers receive them through ``bot.cloud.context``.
"""
