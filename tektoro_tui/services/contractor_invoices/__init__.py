"""contractor_invoices."""
