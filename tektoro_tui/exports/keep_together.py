"""Words a printed document never breaks across lines: account numbers and legal forms.

An IBAN or account number split over two lines is copied wrong; a legal form ("Sp. z o.o.",
"GmbH & Co. KG") split from its name, or in itself, reads as two names. :func:`spans` finds them
(a legal form together with the word before it); :func:`bind` joins the spaces inside them with
a non-breaking space, which fpdf2 never breaks at and prints as a plain space (so the PDF's text
reads as typed), and the HTML page wraps them in a ``white-space: nowrap`` span.
"""

from __future__ import annotations

import re

NBSP = "\u00a0"

_LEGAL_FORMS = (
    r"GmbH\s+&\s+Co\.\s*KG",
    r"[Ss]p\.\s*z\s+o\.\s*o\.",
    r"[Ss]p\.\s*[jkp]\.",
    r"[Ss]p\.\s*k\.\s*a\.",
    r"S\.\s*A\.\s*S\.",
    r"S\.\s*à\s+r\.\s*l\.",
    r"S\.\s*A\.",
    r"s\.\s*r\.\s*o\.",
    r"a\.\s*s\.",
    r"B\.\s*V\.",
    r"N\.\s*V\.",
    r"e\.\s*K\.",
    r"GmbH",
    r"AG",
    r"KG",
    r"OHG",
    r"UG",
    r"SARL",
    r"SAS",
    r"Ltd\.?",
    r"LLC",
    r"LLP",
    r"PLC",
    r"Inc\.?",
    r"Kft\.",
)
# The legal form, with the word before it when that word is of a usual length (a very long
# word and its legal form may not fit on one line together; the form alone always does).
_LEGAL = re.compile(
    r"(?:(?<!\S)\S{1,16}[ \t]+)?(?<!\S)(?:" + "|".join(_LEGAL_FORMS) + r")(?![\w.])",
)
# An IBAN in groups (PL61 1090 1014 0000 0712 1981 2874) or a plain account number in digit
# groups (12 3456 7890 1234): letters and digits in groups of 2-6 joined by single spaces.
_ACCOUNT = re.compile(
    r"\b[A-Z]{2}\d{2}(?: [A-Z0-9]{1,6}){2,9}\b|\b\d{2,6}(?: \d{2,6}){2,9}\b",
)


def spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) of every run of ``text`` that must stay on one line, in order."""
    found = sorted(
        (match.start(), match.end())
        for pattern in (_LEGAL, _ACCOUNT)
        for match in pattern.finditer(text)
    )
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def bind(text: str) -> str:
    """``text`` with the spaces inside every kept-together run made non-breaking."""
    pieces: list[str] = []
    last = 0
    for start, end in spans(text):
        pieces.append(text[last:start])
        pieces.append(re.sub(r"[ \t]+", NBSP, text[start:end]))
        last = end
    pieces.append(text[last:])
    return "".join(pieces)
