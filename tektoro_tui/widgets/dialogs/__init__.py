"""Modal dialogs: each asks one question or shows one form and returns what was chosen."""
