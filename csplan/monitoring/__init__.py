"""Monthly monitoring of savings delivery: forecasts, achieved, RAG, movements and risk."""
