"""The package's folders follow one run's flow and imports point one way: a module imports only
from its own folder or from folders earlier in the flow."""

from __future__ import annotations

import ast
from pathlib import Path

import sim

FLOW = ("sim.version", "sim.errors", "sim.registry", "sim.model", "sim.engines", "sim.config", "sim.analysis", "sim.experiments",
        "sim.outputs", "sim.apps")
PACKAGE = Path(sim.__file__).parent


def _layer(module: str) -> int | None:
    for k, prefix in enumerate(FLOW):
        if module == prefix or module.startswith(prefix + "."):
            return k
    return None


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        yield path, ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_imports_point_down_the_flow():
    upward = []
    for path, module in _modules():
        own = _layer(module)
        if own is None:  # the public API and the command shims sit on top of everything
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                target = _layer(node.module)
                if target is not None and target > own:
                    upward.append(f"{module} imports {node.module}")
    assert upward == []


def test_every_module_is_in_a_folder_of_the_flow_or_on_top():
    on_top = {"sim", "sim.__main__", "sim.api", "sim.compare", "sim.breakeven", "sim.calibrate", "sim.sensitivity",
              "sim.collect", "sim.units", "sim.validate", "sim.recommend", "sim.app"}
    stray = [m for _, m in _modules() if _layer(m) is None and m not in on_top]
    assert stray == []


def test_no_function_above_radon_grade_c_without_saying_why():
    """Issue "Nothing lost, nothing mixed": a function of grade D or worse (cyclomatic complexity
    above 20, radon) keeps its shape only with a "Why one function:" note in its docstring, so that
    whoever extends it reads the reason before adding a branch."""
    from radon.complexity import cc_rank, cc_visit

    unexplained = []
    for path, module in _modules():
        for block in cc_visit(path.read_text(encoding="utf-8")):
            for item in [block, *getattr(block, "closures", [])]:
                if cc_rank(item.complexity) in "ABC":
                    continue
                node = next(n for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == item.name
                            and n.lineno == item.lineno)
                if "Why one function:" not in (ast.get_docstring(node) or ""):
                    unexplained.append(f"{module}.{item.fullname} ({cc_rank(item.complexity)}, {item.complexity})")
    assert not unexplained, unexplained
