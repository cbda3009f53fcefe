"""Where in a TOML file a dotted path (`models.foo.claims.2.value`) was written, for error messages.

tomllib keeps no positions, so `LineIndex` scans the text for table headers and keys.
"""

from __future__ import annotations

import re
from pathlib import Path


class LineIndex:
    """Finds the line a dotted path was written on, for error messages.

    tomllib keeps no positions, so this scans the text for table headers and keys.
    It is a best effort: when it cannot tell, the message carries no line number.
    """

    _HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?")
    _KEY = re.compile(r'^\s*("[^"]*"|[A-Za-z0-9_-]+)\s*=')

    def __init__(self, text: str) -> None:
        self.headers: list[tuple[int, tuple[str, ...], bool]] = []
        self.keys: list[tuple[int, str]] = []
        for number, raw in enumerate(text.splitlines(), start=1):
            header = self._HEADER.match(raw)
            if header:
                parts = tuple(p.strip().strip('"') for p in split_dotted(header.group(1)))
                self.headers.append((number, parts, raw.lstrip().startswith("[[")))
                continue
            key = self._KEY.match(raw)
            if key:
                self.keys.append((number, key.group(1).strip('"')))
        self.lines = text.splitlines()

    @classmethod
    def for_file(cls, path: str | Path) -> LineIndex | None:
        try:
            return cls(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            return None

    def _table_span(self, table: tuple[str, ...], occurrence: int = 0) -> tuple[int, int] | None:
        matches = [i for i, (_, parts, _) in enumerate(self.headers) if parts == table]
        if len(matches) <= occurrence:
            return None
        index = matches[occurrence]
        start = self.headers[index][0]
        end = self.headers[index + 1][0] if index + 1 < len(self.headers) else len(self.lines) + 1
        return start, end

    def find(self, path: tuple[str | int, ...]) -> int | None:
        # Try the longest table prefix that exists as a header, then the key inside it.
        for cut in range(len(path), 0, -1):
            prefix = path[:cut]
            if any(isinstance(p, int) for p in prefix[:-1]):
                continue
            occurrence = prefix[-1] if isinstance(prefix[-1], int) else 0
            table = tuple(p for p in prefix if isinstance(p, str))
            span = self._table_span(table, occurrence)
            if span is None:
                continue
            rest = path[cut:]
            return self._find_in_span(span, rest) or span[0]
        return None

    def _find_in_span(self, span: tuple[int, int], rest: tuple[str | int, ...]) -> int | None:
        if not rest or not isinstance(rest[0], str):
            return None
        start, end = span
        key_line = next((n for n, k in self.keys if start <= n < end and k == rest[0]), None)
        if key_line is None or len(rest) < 2 or not isinstance(rest[1], int):
            return key_line
        # An inline array of tables written one element per line: count the `{`s.
        seen = -1
        for number in range(key_line, end):
            seen += self.lines[number - 1].count("{")
            if seen >= rest[1]:
                return number
        return key_line


def split_dotted(header: str) -> list[str]:
    parts, current, quoted = [], "", False
    for char in header:
        if char == '"':
            quoted = not quoted
        if char == "." and not quoted:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def dotted_path(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            needs_quotes = not re.fullmatch(r"[A-Za-z0-9_-]+", part)
            text = _quoted(part) if needs_quotes else part
            out += f".{text}" if out else text
    return out


def _quoted(key: str) -> str:
    """A TOML basic string on one line: a key holding a line break must not split a one-line error."""
    return '"' + printable(key.replace("\\", "\\\\").replace('"', '\\"')) + '"'


def printable(text: str) -> str:
    """`text` with every unprintable character (line breaks included) written as a TOML escape."""
    return "".join(
        c if c.isprintable() else f"\\u{ord(c):04X}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08X}" for c in text
    )


# Strings and comments, whose brackets do not nest; then the brackets themselves.
_TOKENS = re.compile(
    r'"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*|[\[\]{}]',
    re.DOTALL,
)


def nesting_too_deep(text: str, limit: int) -> int | None:
    """The line where arrays/inline tables first nest deeper than `limit`, else None.

    Checked before `tomllib` parses the text: its parser recurses once per level, so a file
    nested a few thousand arrays deep would end in a RecursionError, not a problem report.
    """
    depth = 0
    for token in _TOKENS.finditer(text):
        char = token.group()
        if char in "[{":
            depth += 1
            if depth > limit:
                return text.count("\n", 0, token.start()) + 1
        elif char in "]}":
            depth = max(0, depth - 1)
    return None
