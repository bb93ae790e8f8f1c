"""Evidence attached to savings lines: demand scenarios, benchmark gaps and documents."""
