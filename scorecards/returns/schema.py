"""The code lists of liia-tools' SSDA903 schema (``shared/data/ssda903_spec/liia_SSDA903_schema_2024.yml``).

PyYAML is not a dependency of the project, so this reads just the part of the file it needs.
"""

from __future__ import annotations

import re
from pathlib import Path

_SCHEMA_KEY = re.compile(r"(\s*)([A-Za-z0-9_]+):\s*(.*?)\s*$")
_SCHEMA_CODE = re.compile(r"\s*-\s*code:\s*(.+?)\s*$")


def load_schema_codes(path: str | Path) -> dict[str, set[str]]:
    """Column name -> allowed codes, from liia-tools' ``liia_SSDA903_schema_*.yml``; ``""`` is allowed when
    the column ``canbeblank: yes``. Only columns with a ``category`` list are given; a column named in several
    tables (SEX) gets the union of its lists.

    PyYAML is not a dependency of the project, so this reads just the part of the file it needs: the nesting
    ``column_map`` > table > column > ``category`` > ``- code: "X"``, and each column's ``canbeblank``.
    """
    codes: dict[str, set[str]] = {}
    blank: set[str] = set()
    stack: list[tuple[int, str]] = []  # (indent, key) of the open mappings
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        code = _SCHEMA_CODE.fullmatch(line)
        if code:
            if len(stack) >= 3 and stack[-1][1] == "category":
                codes.setdefault(stack[-2][1], set()).add(code.group(1).strip("\"'").strip())
            continue
        key = _SCHEMA_KEY.fullmatch(line)
        if not key:
            continue  # a continuation line of a flow mapping such as ``dictionary: {...}``
        indent = len(key.group(1).expandtabs())
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if not key.group(3):
            stack.append((indent, key.group(2)))
        elif key.group(2) == "canbeblank" and stack and key.group(3).lower() in {"yes", "true"}:
            blank.add(stack[-1][1])
    for column in blank & codes.keys():
        codes[column].add("")
    return codes
