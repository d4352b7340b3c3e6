"""Render every config key of ``sim/config/schema.py`` into ``docs/keys.md``.

    python docs/gen_keys.py            # rewrite docs/keys.md
    python docs/gen_keys.py --check    # exit 1 if docs/keys.md is not what the schema gives now

The schema is read as source (``ast`` and ``tokenize``), not imported, so the comments are kept: a
key's description is its docstring-less dataclass field's trailing comment and the comment lines
just above it. Sections follow the config tree from ``SimConfig`` (the top level), depth first; a
dataclass reached at several places (``DistributionConfig``) gets one section listing them, and
the entries of untyped dicts (``UNTYPED``) come after the tree, and any dataclass reached by
neither last.
``tests/test_docs.py`` holds the committed page to this output.
"""

from __future__ import annotations

import ast
import io
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "sim" / "config" / "schema.py"
OUT = ROOT / "docs" / "keys.md"
TOP = "SimConfig"
# Where the entries of untyped dicts (Dict[str, Any]) go, as the schema's comments name them.
UNTYPED = {"FreeParameterConfig": ["calibration.parameters.NAME", "calibration.ensemble.parameters.NAME",
                                   "sensitivity.parameters.NAME"],
           "ChoiceConfig": ["sensitivity.choices.NAME"],
           "ObservationConfig": ["observations.NAME"], "PatternConfig": ["patterns.NAME"]}


def _comments(source: str) -> dict[int, str]:
    """Line number -> the text of the comment on that line."""
    found = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            found[token.start[0]] = token.string.lstrip("#").strip()
    return found


def _classes(tree: ast.Module) -> dict[str, ast.ClassDef]:
    return {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)
            and any(ast.unparse(d).endswith("dataclass") for d in node.decorator_list)}


def _default(value: ast.expr | None, classes: dict) -> str:
    if value is None:
        return "(required)"
    if isinstance(value, ast.Call) and ast.unparse(value.func) in ("default", "field"):
        for keyword in value.keywords:
            if keyword.arg == "default_factory":
                factory = keyword.value
                if isinstance(factory, ast.Lambda):
                    return ast.unparse(factory.body)
                name = ast.unparse(factory)
                if name in classes:
                    return "(section below)"
                return {"list": "[]", "dict": "{}"}.get(name, f"{name}()")
            if keyword.arg == "default":
                return ast.unparse(keyword.value)
    return ast.unparse(value)


def _nested(annotation: ast.expr, classes: dict) -> tuple[str, str] | None:
    """(class name, key suffix) when a field holds a schema dataclass: directly or as dict values."""
    text = ast.unparse(annotation)
    if text in classes:
        return text, ""
    if isinstance(annotation, ast.Subscript) and ast.unparse(annotation.value) == "Dict":
        value = annotation.slice.elts[1] if isinstance(annotation.slice, ast.Tuple) else None
        if value is not None and ast.unparse(value) in classes:
            return ast.unparse(value), ".NAME"
    return None


def _fields(node: ast.ClassDef, comments: dict[int, str], classes: dict):
    """(name, type, default, description, nested) of each field, in order."""
    previous_end = node.lineno
    for statement in node.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            above = []
            line = statement.lineno - 1
            while line > previous_end and line in comments:
                above.insert(0, comments[line])
                line -= 1
            trailing = [comments[n] for n in range(statement.lineno, statement.end_lineno + 1) if n in comments]
            yield (statement.target.id, ast.unparse(statement.annotation), _default(statement.value, classes),
                   " ".join(above + trailing), _nested(statement.annotation, classes))
        previous_end = statement.end_lineno


def _cell(text: str) -> str:
    """Text for a table cell: pipes escaped, angle brackets outside code spans as entities."""
    parts = text.replace("|", "\\|").split("`")
    for k in range(0, len(parts), 2):
        parts[k] = parts[k].replace("<", "&lt;").replace(">", "&gt;")
    return "`".join(parts)


def render() -> str:
    source = SCHEMA.read_text(encoding="utf-8")
    tree = ast.parse(source)
    comments = _comments(source)
    classes = _classes(tree)
    paths: dict[str, list[str]] = {}
    order: list[str] = []

    def walk(name: str, path: str) -> None:
        if name not in paths:
            paths[name] = []
            order.append(name)
        paths[name].append(path)
        for field, _, _, _, nested in _fields(classes[name], comments, classes):
            if nested:
                walk(nested[0], f"{path}.{field}{nested[1]}".lstrip("."))

    walk(TOP, "")
    for name, places in UNTYPED.items():
        for place in places:
            walk(name, place)
    for name in classes:
        if name not in paths:
            order.append(name)
            paths[name] = [""]

    lines = ["# Config keys", "",
             "<!-- Generated by docs/gen_keys.py from sim/config/schema.py: do not edit; run "
             "`python docs/gen_keys.py` (tests/test_docs.py checks it is current). -->", "",
             "Every key a run accepts, as `sim/config/schema.py` declares it: its type, its default in the",
             "schema and the schema's comment (the source of the default, or the word *assumption*). A config",
             "group or scenario file may set another value (`python -m sim --cfg job` prints the composed",
             "config); ranges and cross-checks are in `sim/config/build.py`. Set a key on the command line as",
             "`python -m sim KEY=VALUE` (see [Changing a run](configuration.md)); `NAME` stands for an entry",
             "of a dict.", ""]
    for name in order:
        node = classes[name]
        where = paths[name]
        single = len(where) == 1
        title = "top level" if where == [""] and name == TOP else (where[0] if single and where[0] else name)
        lines += [f"## {title}", ""]
        if not single or name != TOP and where == [""]:
            at = ", ".join(f"`{p}`" for p in where if p) or "not reached from the top level by type"
            lines += [f"`{name}`, at {at}.", ""]
        else:
            lines += [f"`{name}`", ""]
        doc = ast.get_docstring(node)
        if doc:
            lines += [" ".join(doc.split()), ""]
        prefix = f"{where[0]}." if single and where[0] else ""
        lines += ["| key | type | default | description |", "| --- | --- | --- | --- |"]
        for field, kind, value, text, _ in _fields(node, comments, classes):
            lines.append(f"| `{prefix}{field}` | `{kind}` | `{value}` | {_cell(text)} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT.relative_to(ROOT)} is stale: run python docs/gen_keys.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
