"""Business cases, equality impact assessments, consultations and decisions for savings lines."""
