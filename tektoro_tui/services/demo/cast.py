"""Who works at the demo firm and what it works on: people, clients, projects, codes.

Plain data, keyed by short names (``"lukasz"``, ``"cafe"``, ``"cm1"``) that the other modules
of the demo use to find the ids the services gave each of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...domain.permissions import Role

ORGANISATION = "Northwind Studio"
DEMO_PASSWORD = "demo-pass-2026"
ORGANISATION_ADDRESS = "Am Kupfergraben 6\n10117 Berlin\nGermany"


@dataclass(frozen=True)
class Person:
    """One member of the demo firm; ``supervisor`` and ``company`` are keys of this cast."""

    key: str
    name: str
    email: str
    role: Role
    supervisor: str | None = None
    pay_rate: str = "0"
    rate_code: str = ""
    projects: tuple[str, ...] = ()
    weight: float = 1.0
    company: str | None = None


ADMIN = Person("owner", "Agnieszka Wróbel", "agnieszka.wrobel@northwind.example",
               Role.ADMINISTRATOR)  # fmt: skip

PEOPLE: tuple[Person, ...] = (
    Person("juergen", "Jürgen Köhler", "juergen.koehler@northwind.example", Role.MANAGER,
           "owner", "72.00", "principal", ("cm1", "cm2", "hf1"), 0.6),
    Person("malgorzata", "Małgorzata Zielińska", "malgorzata.zielinska@northwind.example",
           Role.MANAGER, "owner", "72.00", "principal", ("ze1", "ze2", "hf2"), 0.6),
    Person("lukasz", "Łukasz Kowalczyk", "lukasz.kowalczyk@northwind.example", Role.STAFF,
           "juergen", "48.00", "senior", ("cm1", "cm2", "hf1"), 1.0),
    Person("emilie", "Émilie Dubois", "emilie.dubois@northwind.example", Role.STAFF,
           "juergen", "46.00", "senior", ("cm1", "hf1", "hf2"), 1.0),
    Person("soeren", "Søren Østergaard", "soeren.ostergaard@northwind.example", Role.STAFF,
           "juergen", "44.50", "senior", ("cm2", "hf1"), 1.0),
    Person("tomasz", "Tomasz Górski", "tomasz.gorski@northwind.example", Role.STAFF,
           "malgorzata", "47.00", "senior", ("ze1", "ze2"), 1.0),
    Person("anja", "Anja Weiß", "anja.weiss@northwind.example", Role.STAFF,
           "malgorzata", "45.00", "senior", ("ze1", "ze2", "hf2"), 1.0),
    Person("pawel", "Paweł Nowicki", "pawel.nowicki@northwind.example", Role.STAFF,
           "lukasz", "31.00", "junior", ("cm1", "cm2"), 0.9),
    Person("katarzyna", "Katarzyna Wiśniewska", "katarzyna.wisniewska@northwind.example",
           Role.STAFF, "lukasz", "30.00", "junior", ("cm1", "hf1"), 0.9),
    Person("helga", "Helga Schröder", "helga.schroeder@northwind.example", Role.ACCOUNTANT,
           "owner", "52.00"),
    Person("sabine", "Sabine Müller", "sabine.mueller@cafe-mueller.example", Role.CLIENT,
           company="cafe"),
    Person("jonas", "Jonas Becker", "jonas.becker@cafe-mueller.example", Role.CLIENT,
           company="cafe"),
    Person("zofia", "Zofia Kamińska", "zofia.kaminska@ze-lodz.example", Role.CLIENT,
           company="zel"),
    Person("siobhan", "Siobhán O'Neill", "siobhan.oneill@harbourfield.example", Role.CLIENT,
           company="hf"),
)  # fmt: skip


def person(key: str) -> Person:
    """The member of the cast with ``key`` (the administrator included)."""
    return next(p for p in (ADMIN, *PEOPLE) if p.key == key)


# key, name, tax id, address, e-mail, phone, (contact name, contact e-mail, position)
CLIENTS: tuple[tuple[str, str, str, str, str, str, tuple[str, str, str]], ...] = (
    ("cafe", "Café Müller GmbH", "DE298765431",
     "Schönhauser Allee 112\n10439 Berlin\nGermany", "buchhaltung@cafe-mueller.example",
     "+49 30 4405 2210", ("Sabine Müller", "sabine.mueller@cafe-mueller.example", "Owner")),
    ("zel", "Zakład Energetyczny Łódź Sp. z o.o.", "PL7251801126",
     "ul. Piotrkowska 204/210\n90-369 Łódź\nPoland", "faktury@ze-lodz.example",
     "+48 42 636 1500", ("Zofia Kamińska", "zofia.kaminska@ze-lodz.example",
                         "Kierownik projektu")),
    ("hf", "Harbour & Field Ltd", "GB356712894",
     "14 Quayside\nNewcastle upon Tyne NE1 3DX\nUnited Kingdom", "accounts@harbourfield.example",
     "+44 191 496 0321", ("Siobhán O'Neill", "siobhan.oneill@harbourfield.example",
                          "Facilities director")),
)  # fmt: skip

# key, code, name, client key, valuation, contract amount, progress %, manager key, tasks
PROJECTS: tuple[tuple[str, str, str, str, str, str, str, str, tuple[str, ...]], ...] = (
    ("cm1", "CM-01", "Café Müller – interior redesign", "cafe", "fixed", "48000.00", "65",
     "juergen", ("Survey and measurements", "Concept design", "Detailed drawings",
                 "Site supervision")),
    ("cm2", "CM-02", "Café Müller – website and menu boards", "cafe", "tm", "", "0",
     "juergen", ("Visual identity", "Web pages")),
    ("ze1", "ZEL-01", "Substation 7 modernisation", "zel", "fixed", "120000.00", "40",
     "malgorzata", ("Feasibility study", "Permit documentation", "Technical design",
                    "Construction oversight")),
    ("ze2", "ZEL-02", "Grid documentation audit", "zel", "tm", "", "0", "malgorzata",
     ("Document review", "Findings report", "Workshops")),
    ("hf1", "HF-01", "Dockside warehouse survey", "hf", "tm", "", "0", "juergen",
     ("Structural survey", "Survey report")),
    ("hf2", "HF-02", "Visitor centre concept", "hf", "fixed", "36500.00", "20", "malgorzata",
     ("Brief and research", "Concept options", "Presentation")),
)  # fmt: skip

# key, name, billable by default
ACTIVITIES: tuple[tuple[str, str, bool], ...] = (
    ("design", "Design", True),
    ("visit", "Site visit", True),
    ("meeting", "Client meeting", True),
    ("docs", "Documentation", True),
    ("training", "Internal training", False),
)

# key, name, hourly rate
RATE_CODES: tuple[tuple[str, str, str], ...] = (
    ("junior", "Junior", "60.00"),
    ("senior", "Senior", "95.00"),
    ("principal", "Principal", "140.00"),
    ("visit", "Site visit", "75.00"),
)
