"""Known-good IAM policies of the components the bot may grant permissions to, as dated data.

Each ``COMPONENT.PARTITION.json`` holds the component's official policy (``policy``) with where
it was read (``source``, ``commit``), when upstream last changed it (``last_changed``) and when
it was read (``read_on``). ``handlers.irsa.grants`` loads them; nothing else writes them.
"""
