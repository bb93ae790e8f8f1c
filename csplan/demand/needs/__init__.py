"""Levels of need, from referral to care: a plain library (no Django).

- ``readers``: DfE's children-in-need files (referrals, children in need, child protection
  plans), the children looked after file and ONS population, by LA and year;
- ``model``: one yearly flow model per LA: referrals, children in need, child protection
  plans and children looked after, with rates per 10,000 and 80% bands;
- ``scenarios``: earlier help, step-down and fewer escalations, the change they make to the
  flow into care, and the link to the children-looked-after model (its scenario API) for
  the placement money that follows;
- ``backtest``: fit on earlier published years, forecast the later ones, score.
"""
