"""The Alembic environment and revisions, shipped inside the package.

``bot.store.migrate`` finds this directory through ``importlib.resources``, so ``chatops migrate``
works from any directory once the distribution is installed.
"""
