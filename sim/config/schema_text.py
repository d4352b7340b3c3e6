"""The config keys of ``sim/config/schema.py`` read from its source (``ast`` and ``tokenize``), not
imported, so that each field's comment is kept: its description is the comment lines just above it
and its trailing comment. Shared by ``docs/gen_keys.py`` (docs/keys.md) and the commands' ``--help``
(:func:`section_lines`), which must stay quick: nothing here imports more than the standard library."""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

SCHEMA = Path(__file__).resolve().parent / "schema.py"


def comments(source: str) -> dict[int, str]:
    """Line number -> the text of the comment on that line."""
    found = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            found[token.start[0]] = token.string.lstrip("#").strip()
    return found


def classes(tree: ast.Module) -> dict[str, ast.ClassDef]:
    """The schema's dataclasses by name."""
    return {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)
            and any(ast.unparse(d).endswith("dataclass") for d in node.decorator_list)}


def default_text(value: ast.expr | None, known: dict) -> str:
    """A field's default as the schema writes it; ``(section below)`` for a nested dataclass."""
    if value is None:
        return "(required)"
    if isinstance(value, ast.Call) and ast.unparse(value.func) in ("default", "field"):
        for keyword in value.keywords:
            if keyword.arg == "default_factory":
                factory = keyword.value
                if isinstance(factory, ast.Lambda):
                    return ast.unparse(factory.body)
                name = ast.unparse(factory)
                if name in known:
                    return "(section below)"
                return {"list": "[]", "dict": "{}"}.get(name, f"{name}()")
            if keyword.arg == "default":
                return ast.unparse(keyword.value)
    return ast.unparse(value)


def nested(annotation: ast.expr, known: dict) -> tuple[str, str] | None:
    """(class name, key suffix) when a field holds a schema dataclass: directly or as dict values."""
    text = ast.unparse(annotation)
    if text in known:
        return text, ""
    if isinstance(annotation, ast.Subscript) and ast.unparse(annotation.value) == "Dict":
        value = annotation.slice.elts[1] if isinstance(annotation.slice, ast.Tuple) else None
        if value is not None and ast.unparse(value) in known:
            return ast.unparse(value), ".NAME"
    return None


def fields(node: ast.ClassDef, notes: dict[int, str], known: dict):
    """(name, type, default, description, nested) of each field, in order."""
    previous_end = node.lineno
    for statement in node.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            above = []
            line = statement.lineno - 1
            while line > previous_end and line in notes:
                above.insert(0, notes[line])
                line -= 1
            trailing = [notes[n] for n in range(statement.lineno, statement.end_lineno + 1) if n in notes]
            yield (statement.target.id, ast.unparse(statement.annotation), default_text(statement.value, known),
                   " ".join(above + trailing), nested(statement.annotation, known))
        previous_end = statement.end_lineno


def section_keys(section: str, top: str = "SimConfig") -> list[tuple[str, str, str, str]]:
    """(key, type, default, description) of every key under ``section`` (``recommend``), nested
    sections depth first (``recommend.budget.*``) in place of the field holding them."""
    source = SCHEMA.read_text(encoding="utf-8")
    known = classes(ast.parse(source))
    notes = comments(source)
    node = known[top]
    for part in section.split("."):
        found = {name: held for name, _, _, _, held in fields(node, notes, known)}
        if not found.get(part) or found[part][1]:
            raise KeyError(f"{section}: not a section of the schema")
        node = known[found[part][0]]

    def walk(node: ast.ClassDef, path: str):
        for name, kind, value, text, held in fields(node, notes, known):
            if held and not held[1]:
                yield from walk(known[held[0]], f"{path}.{name}")
            else:
                yield f"{path}.{name}", kind, value, text

    return list(walk(node, section))


def first_sentence(text: str, width: int) -> str:
    """The description's first sentence, cut to ``width`` characters."""
    end = text.find(". ")
    text = text if end < 0 else text[:end + 1]
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


def section_lines(sections: tuple[str, ...], width: int = 118) -> str:
    """What a command's ``--help`` adds: each key of its ``sections`` with its type, the schema's
    default and the first sentence of the schema's comment, a line each."""
    rows = [row for section in sections for row in section_keys(section)]
    lines = [f"== Keys of {', '.join(s + '.*' for s in sections)} (KEY=VALUE; type = default in the schema, "
             f"a config group may set another: --cfg job) =="]
    for key, kind, value, text in rows:
        head = f"  {key}: {kind} = {value}"
        room = width - len(head) - 3
        lines.append(head + (f"   {first_sentence(text, room)}" if text and room > 20 else ""))
    lines.append("  every key: docs/keys.md")
    return "\n".join(lines)
