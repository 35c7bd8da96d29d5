"""The pydantic v1 -> v2 codemod of one file: PD001-PD006.

Everything is planned from the original file's ``ast`` (which classes, validators and
calls may change, and why the others may not). Renames of methods and ``Field``
keywords are made on the text at the positions ``ast`` gives; bump-pydantic's Config
and validator codemods run through LibCST on the classes and functions they change
(see snippets.py). Imports are added and dropped at the end.
"""

from __future__ import annotations

import ast

import libcst as cst
from libcst.codemod import Codemod, CodemodContext

from reviewer.paydown.imports import add_imports, remove_unused
from reviewer.paydown.index import FileView
from reviewer.paydown.names import ModuleNames
from reviewer.paydown.pydantic_config import GatedConfigCodemod, plan_config
from reviewer.paydown.pydantic_fields import plan_fields
from reviewer.paydown.pydantic_methods import plan_methods
from reviewer.paydown.pydantic_validators import GatedValidatorCodemod, plan_validators
from reviewer.paydown.snippets import Snippet, SnippetStep, run_snippets, statement_lines
from reviewer.paydown.source import SourceText, TextEdit, apply_edits
from reviewer.paydown.types import Skip

RULES = ("PD001", "PD002", "PD003", "PD004", "PD005", "PD006")


def _run(codemod: Codemod, module: cst.Module) -> cst.Module:
    """A bump-pydantic codemod without its import pass (imports are ours, on the text:
    its pass would add them to the snippet)."""
    return Codemod.transform_module(codemod, module)


def _validator_step(wanted: frozenset[str]) -> SnippetStep:
    def step(module: cst.Module, _offset: int) -> cst.Module:
        return _run(GatedValidatorCodemod(CodemodContext(), wanted), module)

    return step


def _config_step(allowed: frozenset[str]) -> SnippetStep:
    def step(module: cst.Module, _offset: int) -> cst.Module:
        return _run(GatedConfigCodemod(CodemodContext(), allowed), module)

    return step


def _settings_import(tree: ast.Module, names: ModuleNames) -> list[Skip] | None:
    """PD005: ``from pydantic import BaseSettings`` can move when it is the plain form."""
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "pydantic" and node.level == 0:
            for alias in node.names:
                if alias.name == "BaseSettings" and alias.asname is None:
                    return []
    return None


def transform(
    source: str, tree: ast.Module, names: ModuleNames, index: FileView, rules: frozenset[str]
) -> tuple[str, list[Skip]]:
    text = SourceText(source)
    lines = source.splitlines()
    skips: list[Skip] = []
    edits: list[TextEdit] = []
    if "PD004" in rules:
        found_edits, found = plan_methods(tree, text, index)
        edits += found_edits
        skips += found
    if "PD006" in rules:
        found_edits, found = plan_fields(tree, text, names)
        edits += found_edits
        skips += found
    snippets: list[Snippet] = []
    adds: list[tuple[str, str]] = []
    removes: list[tuple[str, str]] = []
    validators: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
    if "PD003" in rules:
        plan = plan_validators(tree, names, text)
        skips += plan.skips
        edits += plan.edits
        adds += plan.imports
        validators = plan.functions
    code = apply_edits(source, edits)

    if validators:
        wanted = frozenset(f.name for f in validators)
        for func in validators:
            first, last = statement_lines(func)
            snippets.append(
                Snippet(
                    first,
                    last,
                    [_validator_step(wanted)],
                )
            )
            decorator = func.decorator_list[0]
            kind = ast.unparse(decorator.func if isinstance(decorator, ast.Call) else decorator)
            new = "field_validator" if kind == "validator" else "model_validator"
            adds.append(("pydantic", new))
            removes.append(("pydantic", kind))
    if "PD001" in rules or "PD002" in rules:
        models, found = plan_config(tree, lines, names, index, rules)
        skips += found
        allowed = frozenset(m.name for m in models)
        for model in models:
            first, last = statement_lines(model)
            snippets.append(
                Snippet(
                    first,
                    last,
                    [_config_step(allowed)],
                )
            )
            if model.name in index.settings:
                adds.append(("pydantic_settings", "SettingsConfigDict"))
            else:
                adds.append(("pydantic", "ConfigDict"))
            removes.append(("pydantic", "Extra"))
    if snippets:
        rewritten, failed = run_snippets(code, snippets)
        if failed:
            for line in failed:
                skips.append(Skip("PD001", line, "the class could not be read on its own"))
                skips.append(Skip("PD003", line, "the class could not be read on its own"))
            adds, removes = [], []
        else:
            code = rewritten
    if "PD005" in rules and _settings_import(tree, names) is not None:
        removes.append(("pydantic", "BaseSettings"))
        adds.append(("pydantic_settings", "BaseSettings"))
        # The name is still used, so remove_unused would keep it: drop it explicitly.
        code = remove_unused(code, [], drop=[("pydantic", "BaseSettings")])
    code = add_imports(code, adds)
    code = remove_unused(code, removes)
    return code, skips
