"""What every scheduled report is built with, whether the core or a feature brings it.

``model`` holds the records (``Item``, ``Chart``, ``ReportContent``); ``diff`` compares a run's items
with the previous run's state; ``render`` lays Block Kit out as plain dicts; ``charts`` draws PNGs
when matplotlib is installed. Pure, and below the features in the layers, so a feature's report
kind uses the same toolkit as the core's.
"""
