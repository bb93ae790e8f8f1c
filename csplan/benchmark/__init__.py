"""Benchmarking against statistical neighbours from published DfE, ONS and MHCLG data."""
