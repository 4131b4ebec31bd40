"""Crew pay: pay terms, work shifts, the monthly settlement and the payroll lock."""
