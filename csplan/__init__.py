"""csplan: savings and transformation planning for children's services."""

__version__ = "0.1.0"
