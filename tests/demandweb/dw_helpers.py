"""Small SSDA903 files for the page tests."""

from __future__ import annotations

import io
import zipfile

HEADER = (
    b"CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
    b"C1,1,01/01/2010,WBRI,A123456789012,,\n"
    b"C2,2,02/02/2011,WBRI,A123456789013,,\n"
    b"C3,1,03/03/2012,WBRI,A123456789014,,\n"
)
_EPISODE_COLUMNS = (
    b"CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,"
    b"REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
)
EPISODES = _EPISODE_COLUMNS + (
    b"C1,01/04/2024,S,C2,N1,U4,PR1,,,,AB1 2CD,AB1 3CD,\n"
    b"C2,01/05/2024,S,C2,N1,K2,PR1,,,,AB1 2CD,AB1 3CD,\n"
    b"C3,01/06/2024,S,C2,N1,U6,PR4,,,,AB1 2CD,AB1 3CD,\n"
)
BROKEN_EPISODES = _EPISODE_COLUMNS + (
    b"C1,01/04/2024,S,C2,N1,U4,PR1,,,,AB1 2CD,AB1 3CD,\n"
    b"C2,31/31/2024,S,C2,N1,K2,PR1,,,,AB1 2CD,AB1 3CD,\n"
    b"C3,01/06/2024,S,C2,N1,U6,PR4,,,,AB1 2CD,AB1 3CD,\n"
)


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def tables_of(body: dict) -> dict[str, dict]:
    """The tables of a JSON twin by name (one table, or ``{"tables": [...]}`` for several)."""
    return {t["name"]: t for t in body.get("tables", [body])}


def records(table: dict) -> list[dict[str, str | None]]:
    """A core table's JSON rows as {heading: cell}."""
    headings = [column["heading"] for column in table["columns"]]
    return [dict(zip(headings, row["cells"], strict=True)) for row in table["rows"]]
