"""Reusable pieces of the TekToro screens: bars, tables, form fields and dialogs.

Widgets show what they are given and post messages about what the user did; they hold no
business rules and never talk to the database.
"""
