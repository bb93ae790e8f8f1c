"""SSDA903 code lists: the codes a return may contain, by field.

These are the DfE's published code sets (SSDA903 guidance, 2013-14 to 2025-26), used to
recognise unknown codes in the input and to make synthetic data. They are definitions, not
assumptions: the model's grouping of codes (foster, residential, ...) lives in the model's
configuration, not here.
"""

from __future__ import annotations


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


PLACE = _codes(
    "A3 A4 A5 A6 H5 K1 K2 K3 P1 P2 P3 R1 R2 R3 R5 S1 T0 T1 T2 T3 T4 "
    "U1 U2 U3 U4 U5 U6 Z1 Z11 Z12 Z13 Z14"
)
PLACE_PROVIDER = _codes("PR0 PR1 PR2 PR3 PR4 PR5")
LS = _codes("C1 C2 D1 E1 V2 V3 V4 L1 L2 L3 J1 J2 J3")
#: Legal statuses of a child looked after under an agreed series of short-term breaks (respite):
#: the DfE leaves these episodes out of its children-looked-after figures.
SHORT_BREAK_LS = _codes("V3 V4")
RNE = _codes("S L P T B U")
REC = _codes("X1 E11 E12 E2 E3 E4A E4B E13 E41 E45 E46 E47 E48 E5 E6 E7 E8 E9 E14 E15 E16 E17")
CIN = frozenset(f"N{i}" for i in range(1, 9))
ETHNIC = _codes(
    "WBRI WIRI WOTH WIRT WROM MWBC MWBA MWAS MOTH AIND APKN ABAN AOTH BCRB BAFR BOTH "
    "CHNE OOTH REFU NOBT"
)

#: Placements recorded without a PLACE_PROVIDER (DfE rule 178; Z11-Z14 from 2025-26).
NO_PROVIDER_PLACES = _codes("T0 T1 T2 T3 T4 Z1 Z11 Z12 Z13 Z14")

#: Sex as written in the return: 1/2 until 2023-24, M/F/U from 2024-25. Canonical is 1/2.
SEX_CANONICAL = {"1": "1", "2": "2", "M": "1", "F": "2", "U": "", "0": "", "9": ""}

#: Episode fields checked against a code list, and the list.
EPISODE_CODE_LISTS: dict[str, frozenset[str]] = {
    "PLACE": PLACE,
    "PLACE_PROVIDER": PLACE_PROVIDER,
    "LS": LS,
    "RNE": RNE,
    "REC": REC,
}

#: PLACE codes valid only from a collection year (inclusive) or up to one (inclusive), as
#: the DfE rule 146 of each year has them (csc-validator-be-903 0.1.17): K3 from 2024-25;
#: H5, P2 and Z1 until 2024-25; Z1 split into Z11-Z14 from 2025-26.
PLACE_VALID_FROM = {"K3": 2025, "Z11": 2026, "Z12": 2026, "Z13": 2026, "Z14": 2026}
PLACE_VALID_TO = {"H5": 2025, "P2": 2025, "Z1": 2025}

#: A code that replaced another: a placement group listing the old code takes the new ones.
PLACE_SUCCESSOR_OF = {"Z11": "Z1", "Z12": "Z1", "Z13": "Z1", "Z14": "Z1"}


def place_codes_for_year(year: int) -> frozenset[str]:
    """The PLACE codes a return for collection year ``year`` (2025 = 2024-25) may hold."""
    return frozenset(
        code
        for code in PLACE
        if PLACE_VALID_FROM.get(code, 0) <= year <= PLACE_VALID_TO.get(code, 9999)
    )


def place_code_years(code: str) -> str:
    """When a PLACE code may be used, in words (for messages)."""

    def label(year: int) -> str:
        return f"{year - 1}-{str(year)[2:]}"

    parts = []
    if code in PLACE_VALID_FROM:
        parts.append(f"from {label(PLACE_VALID_FROM[code])}")
    if code in PLACE_VALID_TO:
        parts.append(f"until {label(PLACE_VALID_TO[code])}")
    successors = sorted(c for c, old in PLACE_SUCCESSOR_OF.items() if old == code)
    if successors:
        parts.append(f"replaced by {', '.join(successors)}")
    return f"{code} is valid {', '.join(parts)}"


def sex_code_for_year(canonical: str, year: int) -> str:
    """How a return for ``year`` writes the canonical sex code ("1"/"2")."""
    if year >= 2025:
        return {"1": "M", "2": "F"}.get(canonical, "U")
    return canonical
