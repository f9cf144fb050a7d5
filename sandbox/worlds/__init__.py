"""Seeded worlds for the sandbox: AWS (moto) and Kubernetes objects that reproduce a scenario."""
