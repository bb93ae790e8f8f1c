"""Business cases, equality impact, consultation and decisions for savings lines.

The rules (what a business case needs, which lifecycle moves are allowed and what each needs)
live in plain functions in ``csplan.cases.store`` and ``csplan.cases.lifecycle``; the views,
the API and the command line call them.
"""
