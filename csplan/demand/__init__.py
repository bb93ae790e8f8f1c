"""The children-looked-after demand model: SSDA903 input, validation, forecast and scenarios.

A plain library (no Django). Import the submodules you need, e.g.
``from csplan.demand.episodes import load_returns``; this package imports nothing heavy.
"""
