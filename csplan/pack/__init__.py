"""The committee pack: chosen tables for a monitoring period as HTML, PDF and XLSX,
frozen when published."""
