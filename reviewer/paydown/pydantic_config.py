"""PD001/PD002: ``class Config`` -> ``model_config = ConfigDict(...)``, on bump-pydantic.

bump-pydantic's ``ReplaceConfigCodemod`` does the rewrite (key renames included). It
rewrites the inner ``Config`` of *any* class with a base and, where it cannot rewrite,
leaves TODO comments in the code. Here it is gated: only classes the repository index
knows as Pydantic models, and only ``Config`` bodies whose every line becomes a
``ConfigDict`` argument with the same meaning; anything else is reported as a skip and
the code is left exactly as it was.
"""

from __future__ import annotations

import ast

import libcst as cst
from bump_pydantic.codemods.replace_config import (
    BASE_MODEL_WITH_CONFIG,
    REMOVED_KEYS,
    ReplaceConfigCodemod,
)
from libcst import matchers as m
from libcst.codemod import CodemodContext

from reviewer.paydown.index import FileView
from reviewer.paydown.names import ModuleNames, last_name
from reviewer.paydown.types import Skip

# Removed in v2 but still honoured by model_config (deprecated): same behaviour.
_KEPT_REMOVED = frozenset({"json_encoders"})


class GatedConfigCodemod(ReplaceConfigCodemod):
    """bump-pydantic's Config rewrite, for the model classes named in ``allowed`` only."""

    def __init__(self, context: CodemodContext, allowed: frozenset[str]) -> None:
        super().__init__(context)
        self.allowed = allowed

    @m.leave(m.ClassDef(name=m.Name(value="Config")))
    def leave_config_class(
        self, original_node: cst.ClassDef, updated_node: cst.ClassDef
    ) -> cst.ClassDef:
        # bump-pydantic adds TODO comments here; a skipped class stays untouched instead.
        self.inside_config_class = False
        return updated_node

    @m.leave(BASE_MODEL_WITH_CONFIG)
    def leave_config_class_childless(
        self, original_node: cst.ClassDef, updated_node: cst.ClassDef
    ) -> cst.ClassDef:
        if original_node.name.value not in self.allowed:
            self.invalid_config_class = False
            self.config_args = []
            self.is_base_settings = False
            return updated_node
        # Decided per class: bump-pydantic's flag can stay set from an earlier class.
        self.is_base_settings = any(
            m.matches(arg, m.Arg(value=m.Name("BaseSettings"))) for arg in original_node.bases
        )
        before = cst.ensure_type(updated_node.body, cst.IndentedBlock).body
        result = super().leave_config_class_childless(original_node, updated_node)
        after = cst.ensure_type(result.body, cst.IndentedBlock).body
        # bump-pydantic drops the blank lines and comments above `class Config`.
        body = [
            new.with_changes(leading_lines=[*old.leading_lines, *new.leading_lines])
            if isinstance(old, cst.ClassDef) and isinstance(new, cst.SimpleStatementLine)
            else new
            for old, new in zip(before, after, strict=True)
        ]
        return result.with_changes(body=result.body.with_changes(body=body))

    @staticmethod
    def _leading_lines_from_removed_keys(args: list[cst.Arg]) -> list[cst.EmptyLine]:
        return []


def _comment_in(lines: list[str], node: ast.AST) -> bool:
    start = getattr(node, "lineno", 1)
    end = getattr(node, "end_lineno", start) or start
    return any("#" in line for line in lines[start - 1 : end])


def _config_problem(
    model: ast.ClassDef, config: ast.ClassDef, lines: list[str], settings: bool
) -> str | None:
    """Why this ``class Config`` cannot be rewritten with the same meaning, or None."""
    if config.bases or config.keywords or config.decorator_list:
        return "`Config` inherits from another class; its options cannot be read statically"
    for stmt in config.body:
        if isinstance(stmt, ast.Pass):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            return "`Config` has a docstring that has no place in `ConfigDict(...)`"
        if not (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
        ):
            return "`Config` holds more than plain `key = value` options"
        key = stmt.targets[0].id
        if key == "allow_mutation":
            return "`allow_mutation` becomes `frozen` with the opposite value"
        if key in REMOVED_KEYS and key not in _KEPT_REMOVED:
            return f"`{key}` has no v2 equivalent"
        if key == "fields" or (settings and key in {"env", "fields"}):
            return f"`{key}` has no v2 equivalent"
    if _comment_in(lines, config):
        return "`Config` has comments that the rewrite would drop"
    if any(
        isinstance(s, ast.Assign | ast.AnnAssign)
        and any(
            isinstance(t, ast.Name) and t.id == "model_config"
            for t in (s.targets if isinstance(s, ast.Assign) else [s.target])
        )
        for s in model.body
    ):
        return "the model already has a `model_config`"
    return None


def plan_config(
    tree: ast.Module,
    lines: list[str],
    names: ModuleNames,
    index: FileView,
    rules: frozenset[str],
) -> tuple[list[ast.ClassDef], list[Skip]]:
    """The model classes whose ``Config`` can be rewritten, and skips for the others."""
    allowed: list[ast.ClassDef] = []
    skips: list[Skip] = []
    class_names = [c.name for c in ast.walk(tree) if isinstance(c, ast.ClassDef)]
    for model in ast.walk(tree):
        if not isinstance(model, ast.ClassDef):
            continue
        configs = [s for s in model.body if isinstance(s, ast.ClassDef) and s.name == "Config"]
        if not configs:
            continue
        config = configs[0]
        keys = [
            t.id
            for s in config.body
            if isinstance(s, ast.Assign)
            for t in s.targets
            if isinstance(t, ast.Name)
        ]

        def skip(reason: str, *, config: ast.ClassDef = config, keys: list[str] = keys) -> None:
            skips.append(Skip("PD001", config.lineno, reason))
            for stmt in config.body:
                if isinstance(stmt, ast.Assign | ast.AnnAssign):
                    skips.append(Skip("PD002", stmt.lineno, reason))

        if model.name not in index.pydantic:
            skip(f"cannot tell that `{model.name}` is a Pydantic model")
            continue
        settings = model.name in index.settings
        problem = _config_problem(model, config, lines, settings)
        if problem is None and len(configs) > 1:
            problem = "the model has two `Config` classes"
        if problem is None and class_names.count(model.name) > 1:
            problem = f"the file defines `{model.name}` more than once"
        direct = any(last_name(b) == "BaseSettings" for b in model.bases)
        if problem is None and settings and not direct:
            problem = "settings class not derived from `BaseSettings` directly"
        if problem is None and settings and "PD005" not in rules:
            problem = "settings need `pydantic_settings` (rule PD005 not selected)"
        wanted = "SettingsConfigDict" if settings else "ConfigDict"
        origin = "pydantic_settings" if settings else "pydantic"
        if problem is None and not names.free_for(wanted, f"{origin}.{wanted}"):
            problem = f"`{wanted}` already means something else in this file"
        if problem is None and "PD001" not in rules:
            problem = "rule PD001 not selected (the rewrite removes `class Config`)"
        if problem is not None:
            skip(problem)
            continue
        allowed.append(model)
    return allowed, skips
