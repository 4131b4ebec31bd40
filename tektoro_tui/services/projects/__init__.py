"""Projects as contracts: change orders, settlement invoices, costs and the balance."""
