"""EHC plans and SEN home-to-school transport: a plain library (no Django).

- ``settings``: the six groups of settings the model uses and how DfE's columns map to them;
- ``readers``: DfE's published EHC plan files and a council's own SEN2-style extract;
- ``model``: a stock-and-flow forecast of plans by setting (and age), with 80% bands;
- ``costs``: placement and transport costs by financial year from dated parameters;
- ``scenarios``: named adjustments (setting mix, new plans, travel training, personal
  transport budgets, route optimisation) and their saving by financial year;
- ``backtest``: fit on earlier published years, forecast the later ones, score;
- ``synthetic``: synthetic published-style files for demos and tests.
"""
