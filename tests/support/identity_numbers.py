"""Hypothesis strategies for Norwegian identity numbers in every written form, and for the
numbers that must not be mistaken for them. python-stdnum is the oracle of validity."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st
from stdnum.no import fodselsnummer, orgnr

SEPARATORS = [
    " ",
    "\u00a0",
    "\u202f",
    "\u2009",
    ".",
    "-",
    "\u2010",
    "\u2011",
    "\u2013",
    "\u2014",
    "\u2212",
    "/",
    "_",
]
FORMAT_CHARACTERS = ["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
# Decimal digits of other scripts and the full-width forms: 0 of each, add the digit's value.
DIGIT_ZEROS = ["0", "\uff10", "\u0660", "\u06f0", "\u0966", "\u09e6", "\u0e50"]


def _with_check_digits(base: str) -> str:
    first = fodselsnummer.calc_check_digit1(base)
    return base + first + fodselsnummer.calc_check_digit2(base + first)


@st.composite
def identity_numbers(draw: st.DrawFn) -> str:
    """A fødselsnummer, D-number or H-number that python-stdnum calls valid."""
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2039, 12, 31)))
    kind = draw(st.sampled_from(["fnr", "d", "h"]))
    day, month = born.day + (40 if kind == "d" else 0), born.month + (40 if kind == "h" else 0)
    # Individual numbers by century, as the birth-date check of python-stdnum reads them.
    if born.year < 2000:
        individual = draw(st.integers(0, 499) if born.year >= 1900 else st.integers(500, 749))
    else:
        individual = draw(st.integers(500, 999))
    base = f"{day:02d}{month:02d}{born.year % 100:02d}{individual:03d}"
    number = _with_check_digits(base)
    if "-" in number or len(number) != 11 or not fodselsnummer.is_valid(number):
        return draw(st.nothing())  # no valid check digit exists for this base (mod 11 gives 10)
    return number


@st.composite
def written_forms(draw: st.DrawFn, number: str) -> str:
    """``number`` as somebody might write it: grouped, separated, other digits, hidden characters."""
    cuts = sorted(draw(st.sets(st.integers(1, 10), max_size=4)))
    zero = draw(st.sampled_from(DIGIT_ZEROS))
    digits = [chr(ord(zero) + int(d)) for d in number]
    out = []
    for index, digit in enumerate(digits):
        if index in cuts:
            out.append(draw(st.text(st.sampled_from(SEPARATORS), min_size=1, max_size=3)))
        elif index and draw(st.integers(0, 9)) == 0:
            out.append(draw(st.sampled_from(FORMAT_CHARACTERS)))
        out.append(digit)
    return "".join(out)


surroundings = st.text(
    st.characters(blacklist_categories=("Nd", "No", "Nl", "Cs")) | st.sampled_from(list("æøåÆØÅ ,;:()")),
    max_size=15,
)


@st.composite
def texts_with_identity_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """(a free text holding an identity number in some written form, the number)."""
    number = draw(identity_numbers())
    form = draw(written_forms(number))
    before, after = draw(surroundings), draw(surroundings)
    # A letter or space next to the number keeps it from joining a neighbouring separator run.
    return f"{before} {form} {after}", number


def _phone(draw: st.DrawFn) -> str:
    digits = "".join(str(draw(st.integers(0, 9))) for _ in range(8))
    grouped = draw(st.sampled_from([digits, " ".join(digits[i : i + 2] for i in range(0, 8, 2))]))
    return draw(st.sampled_from(["", "+47 ", "0047 "])) + grouped


def _org_number(draw: st.DrawFn) -> str:
    base = "".join(str(draw(st.integers(0, 9))) for _ in range(8))
    weighted = sum(w * int(d) for w, d in zip((3, 2, 7, 6, 5, 4, 3, 2), base, strict=True))
    number = base + str((11 - weighted % 11) % 11)
    if not orgnr.is_valid(number):  # python-stdnum decides; check digit 10 has no number
        return draw(st.nothing())
    return draw(st.sampled_from([number, f"{number[:3]} {number[3:6]} {number[6:]}"]))


def _price(draw: st.DrawFn) -> str:
    amount = draw(st.integers(0, 10**9))
    grouped = f"{amount:,}".replace(",", draw(st.sampled_from([" ", ".", "\u00a0"])))
    return f"kr {grouped},{draw(st.integers(0, 99)):02d}"


def _invalid_eleven_digits(draw: st.DrawFn) -> str:
    digits = "".join(str(draw(st.integers(0, 9))) for _ in range(11))
    if fodselsnummer.is_valid(digits):
        return draw(st.nothing())
    return digits


@st.composite
def look_alikes(draw: st.DrawFn) -> str:
    """Numbers in free text that are not identity numbers: phones, org numbers, prices, dates."""
    kind = draw(st.sampled_from(["phone", "org", "price", "date", "invalid"]))
    if kind == "phone":
        value = _phone(draw)
    elif kind == "org":
        value = _org_number(draw)
    elif kind == "price":
        value = _price(draw)
    elif kind == "date":
        value = draw(st.dates(min_value=date(1900, 1, 1))).strftime(
            draw(st.sampled_from(["%d.%m.%Y", "%Y-%m-%d"]))
        )
    else:
        value = _invalid_eleven_digits(draw)
    return f"{draw(surroundings)} {value} {draw(surroundings)}"
