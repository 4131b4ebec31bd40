"""TekToro TUI: time, invoices, payments and pay for a small firm, from the terminal."""

__version__ = "0.1.0"
