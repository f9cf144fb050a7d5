"""Services: what the bot does, independent of Slack's wire format.

Listeners (``bot.slack``) call these; these call diagnosers (``handlers``), the store
(``bot.store``) and a ``ThreadPort`` that tells the request's thread what happened.
"""
