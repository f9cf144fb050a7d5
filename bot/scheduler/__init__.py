"""The single active scheduler: APScheduler, run only by the replica that holds the leader lock.

The jobs it runs (each feature's, plan expiry, the reports) are added by ``bot.bootstrap.scheduling``.
"""
