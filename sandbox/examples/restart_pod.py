"""Ask the bot to restart a stuck pod, approve as ops, and print the thread.

Run from the checkout: ``.venv/bin/python -m sandbox.examples.restart_pod``.
"""

from sandbox import OPS, Sandbox

with Sandbox() as sb:
    facts = sb.seed("pods")
    sb.slash(f"restart {facts['namespace']}/{facts['stuck']}")
    request = sb.wait_request(lambda r: r.intent == "pod_restart")
    plan = sb.approve(sb.latest_plan(request.id).id, user=OPS)
    print(f"plan #{plan.id}: {plan.status}")
    for message in sb.thread(request):
        print(message.text)
