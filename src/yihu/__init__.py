"""Yihu (医护): one platform for a city's Internet + Healthcare services."""

__version__ = "0.1.0"
