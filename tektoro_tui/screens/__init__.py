"""The TekToro screens: one per area, thin, calling the services from thread workers.

Screen modules other than :mod:`.login` and :mod:`.base` are imported only when the user
first opens them, so the login screen appears quickly.
"""
