"""The offline sandbox: local stand-ins for Slack's Web API, the Kubernetes API and AWS (moto).

Product code, not test code: ``chatops demo`` runs the real HTTP app against these, and the
test suite uses the same pieces. Nothing here is imported by the serving path.
"""
