"""Invest-to-save cases: investment, funding source, expected and actual savings, payback."""
