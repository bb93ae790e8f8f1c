"""The store and web pages of the demand model: SSDA903 uploads, forecasts, scenarios."""
