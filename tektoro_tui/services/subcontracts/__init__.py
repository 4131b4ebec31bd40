"""Subcontracting agreements, work schedules, daily reports and settlement stages."""
