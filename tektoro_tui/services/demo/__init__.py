"""A realistic demo firm, "Northwind Studio", built in one empty database (``tektoro demo``).

The firm is built through the product's own services wherever the cost allows, so the rules,
numbering and audit of the demo are the real ones; only the year of time cards behind it is
too large for one service call each and is loaded in bulk.

Modules, in the order :func:`build_demo` uses them:

- :mod:`.cast` – who works there and on what (plain data);
- :mod:`.people` – the organisation, people and code presets, through the services;
- :mod:`.history` – the year of time entries and document records, generated and bulk-loaded
  (:mod:`.bulk` holds the loader and the daily-summary trigger handling);
- :mod:`.contractors` – compliance documents and contractor master invoices, generated,
  approved and paid through the services;
- :mod:`.crews` – HR, the field crews' pay terms, three months of work shifts, the oldest
  month transferred to accounting (in bulk at scale, priced by the payroll service's rule);
- :mod:`.clients` – the payment-terms library; client invoices issued, sent and paid through
  the services;
- :mod:`.result` – what was made, printable for the command line.
"""

from __future__ import annotations

from .build import build_demo
from .cast import DEMO_PASSWORD, ORGANISATION
from .clients import TERMS_TEMPLATES
from .result import DemoLogin, DemoResult

__all__ = [
    "DEMO_PASSWORD",
    "ORGANISATION",
    "TERMS_TEMPLATES",
    "DemoLogin",
    "DemoResult",
    "build_demo",
]
