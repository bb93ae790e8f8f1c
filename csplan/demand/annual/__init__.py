"""Yearly aggregate demand models: the pieces the EHC plan model (``csplan.demand.send``) and
the levels-of-need model (``csplan.demand.needs``) share.

- ``series``: published figures by area, measure and year (DfE explore-education-statistics
  files), with suppression symbols kept as notes, read all-or-nothing;
- ``trend``: damped log-linear trends and ratios fitted on a few published years;
- ``scores``: back-test scores (error and 80% band coverage by horizon).

A plain library: no Django.
"""
