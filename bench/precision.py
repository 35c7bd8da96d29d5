"""Precision of the engine's rules on real repositories, against a labeled set.

    uv run python bench/precision.py [--repos-dir DIR] [--review] [--only RULE ...]
                                     [--profile default|extended|all] [--repo NAME ...]
    uv run python bench/precision.py --sample N --seed S [--rule RULE ...]   # to label

The repositories and their pinned commits are in ``bench/labels/repos.json``; their local
checkouts live OUTSIDE this repository (default ``/work/realrepos/<owner>+<name>@<sha12>``,
made with ``bench/extract_checkout.py`` from a mirror). Each repository is reviewed once
with the product's settings (``reviewer.engine.review``, ruff on, the engine's cache) and
the findings are kept in ``<repos-dir>/.results/``; later runs read them back, so a change
of one rule needs ``--review --only RULE`` (only that rule is re-run and its findings
replaced), not a review of everything.

Labels are ``bench/labels/*.jsonl``: one JSON object per line with repo, commit, path,
line, rule, verdict (true / false / debatable) and a one-line reason. A finding counts as
true positive only when a strict reviewer would want it at its severity; "debatable" is
reported on its own and left out of TP / (TP + FP).

It prints precision per rule and per severity (tuning and held-out repositories apart),
findings per 1,000 lines per severity and per code context, Criticals per 10,000 lines of
production code per repository, and the labeled false positives that are still reported.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

HERE = Path(__file__).resolve().parent
LABELS_DIR = HERE / "labels"
REPOS_FILE = LABELS_DIR / "repos.json"
DEFAULT_REPOS_DIR = Path("/work/realrepos")
VERDICTS = ("true", "false", "debatable")
SEVERITIES = ("critical", "important", "suggestion")
CONTEXTS = ("production", "test", "migration", "script", "generated")
#: Rules whose findings in test code stay Critical (they are about the tests themselves).
TEST_RULE_PREFIXES = ("PT", "ruff:PT")


@dataclass(frozen=True)
class RepoSpec:
    repo: str
    commit: str
    under: str | None
    held_out: bool

    @property
    def folder(self) -> str:
        return f"{self.repo.replace('/', '+')}@{self.commit[:12]}"


def load_specs() -> list[RepoSpec]:
    data = json.loads(REPOS_FILE.read_text())
    return [
        RepoSpec(r["repo"], r["commit"], r.get("under"), bool(r.get("held_out")))
        for r in data["repos"]
    ]


def load_labels() -> dict[tuple[str, str, int, str], dict[str, Any]]:
    """Labels by (repo, path, line, rule); a later file/line wins over an earlier one."""
    labels: dict[tuple[str, str, int, str], dict[str, Any]] = {}
    for source in sorted(LABELS_DIR.glob("*.jsonl")):
        for number, text in enumerate(source.read_text().splitlines(), 1):
            if not text.strip():
                continue
            row = json.loads(text)
            if row.get("verdict") not in VERDICTS:
                raise SystemExit(f"{source.name}:{number}: verdict must be one of {VERDICTS}")
            labels[(row["repo"], row["path"], int(row["line"]), row["rule"])] = row
    return labels


# -- code context ------------------------------------------------------------------


def context_of(path: str, root: Path | None = None) -> str:
    """The engine's context for a path (from its first lines too when the checkout is at
    hand: a "migrations" folder is a chain only with Alembic/Django markers), else a
    path-based guess."""
    try:
        from reviewer.engine.code_context import classify  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return _guess_context(path)
    head = ""
    if root is not None:
        try:
            with (root / path).open(encoding="utf-8", errors="replace") as handle:
                head = "".join(line for _, line in zip(range(60), handle, strict=False))
        except OSError:
            head = ""
    return str(classify(path, head))


def _guess_context(path: str) -> str:
    parts = PurePosixPath(path).parts
    name = parts[-1]
    folders = set(parts[:-1])
    if name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py":
        return "test"
    if folders & {"tests", "test", "testing"}:
        return "test"
    if folders & {"versions", "migrations", "alembic"}:
        return "migration"
    if folders & {"scripts", "script", "bin", "examples", "example", "docs", "benchmarks"}:
        return "script"
    return "production"


# -- reviewing ---------------------------------------------------------------------


def results_path(repos_dir: Path, spec: RepoSpec) -> Path:
    return repos_dir / ".results" / f"{spec.folder}.json"


def count_lines(root: Path) -> dict[str, int]:
    """Lines of Python per file (relative POSIX path)."""
    lines: dict[str, int] = {}
    for path in root.rglob("*.py"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                lines[path.relative_to(root).as_posix()] = sum(1 for _ in handle)
    return lines


def issue_row(issue: Any) -> dict[str, Any]:
    row = {
        "rule": issue.rule_id,
        "path": issue.path,
        "line": issue.line,
        "severity": issue.severity,
        "message": issue.message,
    }
    context = getattr(issue, "context", None)
    row["context"] = context if context else context_of(issue.path)
    return row


def review_repo(repos_dir: Path, spec: RepoSpec, only: list[str] | None) -> dict[str, Any]:
    """Review one checkout (or re-run ``only`` those rules) and store the findings."""
    from reviewer.engine import review

    root = repos_dir / spec.folder
    if not root.is_dir():
        raise SystemExit(f"{root} is missing: run bench/extract_checkout.py first (see docs)")
    stored = results_path(repos_dir, spec)
    old: dict[str, Any] | None = json.loads(stored.read_text()) if stored.exists() else None
    started = time.perf_counter()
    kwargs: dict[str, Any] = {"ruff": True, "cache_dir": repos_dir / ".cache" / spec.folder}
    if only:
        kwargs["rule_ids"] = only
    kwargs.update(_profile_kwargs())
    result = review(root, **kwargs)
    rows = [issue_row(i) for i in result.issues]
    if only and old is not None:
        prefixes = tuple(p if p.startswith("ruff:") else p.upper() for p in only)
        ruff_too = any(p.upper().startswith("RUFF") for p in only)
        kept = [
            r
            for r in old["findings"]
            if not (r["rule"].startswith(prefixes) or (ruff_too and r["rule"].startswith("ruff:")))
        ]
        rows = kept + rows
    data = {
        "repo": spec.repo,
        "commit": spec.commit,
        "seconds": round(time.perf_counter() - started, 1),
        "lines": old["lines"] if old else count_lines(root),
        "findings": sorted(rows, key=lambda r: (r["path"], r["line"], r["rule"])),
    }
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_text(json.dumps(data))
    return data


def _profile_kwargs() -> dict[str, Any]:
    """Every rule is reviewed (the extended profile, when the engine has profiles); the
    report filters by profile, so one stored review serves every profile."""
    try:
        from reviewer.engine.profile import EXTENDED_PROFILE
    except ImportError:
        return {}
    return {"profile": EXTENDED_PROFILE}


def load_results(repos_dir: Path, spec: RepoSpec) -> dict[str, Any] | None:
    stored = results_path(repos_dir, spec)
    return json.loads(stored.read_text()) if stored.exists() else None


def in_profile(rule: str, profile: str) -> bool:
    """Whether a rule is in the named profile of the engine (every rule for "all")."""
    if profile in ("all", "extended"):
        return True
    if profile == "measured":
        # what the default profile becomes once every measured rule under the threshold
        # leaves it (reviewer/engine/measured.py), whatever the engine does today
        from reviewer.engine.measured import measured
        from reviewer.engine.rule_policy import DEFAULT_PROFILE_MIN_PRECISION

        figure = measured(rule)
        if figure is not None:
            return figure[0] >= DEFAULT_PROFILE_MIN_PRECISION
    from reviewer.engine.registry import get_rule
    from reviewer.engine.ruff_codes import lookup

    if rule.startswith("ruff:"):
        meta = lookup(rule.removeprefix("ruff:"))
        return getattr(meta, "profile", "default") == "default"
    found = get_rule(rule)
    return found is None or getattr(found, "profile", "default") == "default"


# -- reporting ---------------------------------------------------------------------


def ratio(tp: int, fp: int) -> str:
    return f"{tp / (tp + fp):.2f}" if tp + fp else "  - "


def precision_table(
    title: str, rows: Iterable[tuple[str, Counter[str]]], out: list[str], min_total: int = 0
) -> None:
    out.append(f"\n{title}")
    out.append(f"  {'':24} {'prec':>5} {'TP':>4} {'FP':>4} {'deb':>4} {'found':>6}")
    for key, c in rows:
        if c["found"] < min_total and not (c["true"] + c["false"] + c["debatable"]):
            continue
        out.append(
            f"  {key:24} {ratio(c['true'], c['false']):>5} {c['true']:>4} {c['false']:>4}"
            f" {c['debatable']:>4} {c['found']:>6}"
        )


def report(
    specs: list[RepoSpec],
    results: dict[str, dict[str, Any]],
    labels: dict[tuple[str, str, int, str], dict[str, Any]],
    profile: str,
    repos_dir: Path | None = None,
) -> str:
    out: list[str] = [f"profile: {profile}"]
    held = {s.repo for s in specs if s.held_out}
    groups = {
        "tuning": [s for s in specs if not s.held_out],
        "held-out": [s for s in specs if s.held_out],
    }
    still_false: list[str] = []
    gone = Counter[str]()
    for group, members in groups.items():
        by_rule: dict[str, Counter[str]] = defaultdict(Counter)
        by_sev: dict[str, Counter[str]] = defaultdict(Counter)
        for spec in members:
            data = results.get(spec.repo)
            if data is None:
                continue
            seen = set()
            for f in data["findings"]:
                if not in_profile(f["rule"], profile):
                    continue
                key = (spec.repo, f["path"], f["line"], f["rule"])
                seen.add(key)
                by_rule[f["rule"]]["found"] += 1
                by_sev[f["severity"]]["found"] += 1
                if f["severity"] in ("critical", "important"):
                    by_sev["critical+important"]["found"] += 1
                label = labels.get(key)
                if label is None:
                    continue
                by_rule[f["rule"]][label["verdict"]] += 1
                by_sev[f["severity"]][label["verdict"]] += 1
                if f["severity"] in ("critical", "important"):
                    by_sev["critical+important"][label["verdict"]] += 1
                if label["verdict"] == "false":
                    still_false.append(
                        f"  {spec.repo} {f['path']}:{f['line']} {f['rule']} ({f['severity']}):"
                        f" {label.get('reason', '')}"
                    )
            for key, label in labels.items():
                if key[0] == spec.repo and key not in seen and in_profile(key[3], profile):
                    gone[f"{group} {label['verdict']}"] += 1
        names = ", ".join(s.repo for s in members)
        precision_table(
            f"[{group}] precision per severity ({names})",
            [(s, by_sev[s]) for s in (*SEVERITIES, "critical+important") if s in by_sev],
            out,
        )
        precision_table(
            f"[{group}] precision per rule",
            sorted(by_rule.items()),
            out,
            min_total=10**9,  # only labeled rules
        )
    out.append(
        "\nfindings per 1,000 lines (severity x context) and Criticals per 10k production lines"
    )
    header = f"  {'repository':38} {'kloc':>6} " + " ".join(f"{s[:4]:>5}" for s in SEVERITIES)
    header += "  " + " ".join(f"{c[:4]:>5}" for c in CONTEXTS) + "  crit/10k-prod  crit-in-tests"
    out.append(header)
    for spec in specs:
        data = results.get(spec.repo)
        if data is None:
            out.append(f"  {spec.repo:38} (not reviewed yet: --review)")
            continue
        lines_by_ctx: Counter[str] = Counter()
        root = repos_dir / spec.folder if repos_dir is not None else None
        for path, n in data["lines"].items():
            lines_by_ctx[context_of(path, root)] += n
        total = sum(lines_by_ctx.values()) or 1
        sev = Counter[str]()
        ctx = Counter[str]()
        crit_prod = crit_test = 0
        for f in data["findings"]:
            if not in_profile(f["rule"], profile):
                continue
            sev[f["severity"]] += 1
            ctx[f["context"]] += 1
            if f["severity"] == "critical" and f["context"] == "production":
                crit_prod += 1
            if (
                f["severity"] == "critical"
                and f["context"] == "test"
                and not f["rule"].startswith(TEST_RULE_PREFIXES)
            ):
                crit_test += 1
        per_k = " ".join(f"{1000 * sev[s] / total:5.2f}" for s in SEVERITIES)
        per_ctx = " ".join(
            f"{1000 * ctx[c] / lines_by_ctx[c]:5.2f}" if lines_by_ctx[c] else "    -"
            for c in CONTEXTS
        )
        prod = lines_by_ctx["production"] or 1
        mark = " (held out)" if spec.repo in held else ""
        out.append(
            f"  {spec.repo + mark:38} {total / 1000:6.1f} {per_k}  {per_ctx}"
            f"  {10000 * crit_prod / prod:13.2f}  {crit_test:13}"
        )
    out.append(f"\nlabeled false positives still reported: {len(still_false)}")
    out.extend(sorted(still_false))
    if gone:
        out.append(
            "\nlabeled findings no longer reported: "
            + ", ".join(f"{k} {v}" for k, v in sorted(gone.items()))
        )
    return "\n".join(out)


# -- the engine's measured figures ------------------------------------------------

MEASURED_FILE = HERE.parent / "reviewer" / "engine" / "measured.py"
#: Fewer true/false labels than this and a rule gets no measured figure.
MIN_DECIDED = 3


def measured_figures(
    specs: list[RepoSpec],
    results: dict[str, dict[str, Any]],
    labels: dict[tuple[str, str, int, str], dict[str, Any]],
) -> dict[str, tuple[float, int]]:
    """Per rule, over the tuning repositories only (held-out ones stay a test of the
    figures): TP / (TP + FP) among labeled findings the engine still reports."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for spec in specs:
        if spec.held_out or spec.repo not in results:
            continue
        for f in results[spec.repo]["findings"]:
            label = labels.get((spec.repo, f["path"], f["line"], f["rule"]))
            if label is not None:
                counts[f["rule"]][label["verdict"]] += 1
    figures = {}
    for rule_id, c in sorted(counts.items()):
        decided = c["true"] + c["false"]
        if decided >= MIN_DECIDED:
            figures[rule_id] = (round(c["true"] / decided, 2), decided)
    return figures


def write_measured(figures: dict[str, tuple[float, int]]) -> None:
    head, sep, _ = MEASURED_FILE.read_text().partition("MEASURED: dict[str, tuple[float, int]] = {")
    if not sep:
        raise SystemExit(f"{MEASURED_FILE} has no MEASURED table")
    body = "".join(f'    "{rule_id}": {value},\n' for rule_id, value in figures.items())
    tail = MEASURED_FILE.read_text().split("\n}\n", 1)[1]
    MEASURED_FILE.write_text(head + sep + "\n" + body + "}\n" + tail)


# -- sampling for labeling ---------------------------------------------------------


def sample(
    specs: list[RepoSpec],
    results: dict[str, dict[str, Any]],
    labels: dict[tuple[str, str, int, str], dict[str, Any]],
    per_rule: int,
    seed: int,
    rules: list[str] | None,
    repos_dir: Path,
    context_lines: int,
    extra: int | None = None,
    profile: str = "all",
) -> str:
    """A seeded stratified sample of unlabeled findings: up to ``per_rule`` per rule per
    repository group (twice that for Criticals), each printed with its surrounding lines;
    with ``extra``, that many more per rule whatever is labeled already."""
    rng = random.Random(seed)
    out: list[str] = []
    for group in (False, True):
        pool: dict[str, list[tuple[RepoSpec, dict[str, Any]]]] = defaultdict(list)
        for spec in specs:
            if spec.held_out != group or spec.repo not in results:
                continue
            for f in results[spec.repo]["findings"]:
                if rules and not f["rule"].startswith(tuple(rules)):
                    continue
                if not in_profile(f["rule"], profile):
                    continue
                if (spec.repo, f["path"], f["line"], f["rule"]) in labels:
                    continue
                pool[f["rule"]].append((spec, f))
        for rule_id in sorted(pool):
            found = pool[rule_id]
            labeled = sum(
                1
                for k in labels
                if k[3] == rule_id and any(s.repo == k[0] and s.held_out == group for s in specs)
            )
            quota = per_rule * (2 if any(f["severity"] == "critical" for _, f in found) else 1)
            wanted = quota if extra is None else extra
            if extra is None:
                wanted = max(0, quota - labeled)
            take = rng.sample(found, min(len(found), wanted))
            for spec, f in take:
                out.append(
                    json.dumps(
                        {
                            "repo": spec.repo,
                            "commit": spec.commit,
                            "path": f["path"],
                            "line": f["line"],
                            "rule": f["rule"],
                            "severity": f["severity"],
                            "context": f["context"],
                            "message": f["message"],
                        }
                    )
                )
                out.append(_excerpt(repos_dir / spec.folder / f["path"], f["line"], context_lines))
    return "\n".join(out)


def _excerpt(path: Path, line: int, around: int) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return "    (unreadable)"
    lo, hi = max(0, line - 1 - around), min(len(text), line + around)
    return "\n".join(f"  {'>' if n + 1 == line else ' '}{n + 1:5} {text[n]}" for n in range(lo, hi))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repos-dir", type=Path, default=DEFAULT_REPOS_DIR)
    parser.add_argument("--repo", action="append", help="only this repository (owner/name)")
    parser.add_argument("--review", action="store_true", help="(re)review the checkouts")
    parser.add_argument("--only", action="append", help="with --review: re-run only these rules")
    parser.add_argument(
        "--profile",
        choices=("default", "measured", "extended", "all"),
        default="default",
        help="which rules to count: the engine's profiles, 'measured' (the default minus every "
        "rule measured under the threshold) or 'all'",
    )
    parser.add_argument("--sample", type=int, help="print a sample of unlabeled findings")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--sample-profile",
        choices=("default", "measured", "extended", "all"),
        default="all",
        help="with --sample: draw only findings of rules in this profile",
    )
    parser.add_argument("--extra", type=int, help="with --sample: this many more per rule")
    parser.add_argument("--rule", action="append", help="with --sample: only these rules")
    parser.add_argument("--context-lines", type=int, default=6)
    parser.add_argument(
        "--write-measured",
        action="store_true",
        help="write the per-rule figures of the tuning set to reviewer/engine/measured.py",
    )
    args = parser.parse_args(argv)

    sys.path.insert(0, str(HERE.parent))
    specs = [s for s in load_specs() if not args.repo or s.repo in args.repo]
    all_specs = load_specs()
    results: dict[str, dict[str, Any]] = {}
    for spec in all_specs:
        if args.review and spec in specs:
            data = review_repo(args.repos_dir, spec, args.only)
            print(f"reviewed {spec.repo} in {data['seconds']} s: {len(data['findings'])} findings")
            results[spec.repo] = data
        else:
            loaded = load_results(args.repos_dir, spec)
            if loaded is not None:
                results[spec.repo] = loaded
    labels = load_labels()
    if args.write_measured:
        figures = measured_figures(all_specs, results, labels)
        write_measured(figures)
        print(f"{len(figures)} rules measured -> {MEASURED_FILE}")
        return 0
    if args.sample:
        print(
            sample(
                specs,
                results,
                labels,
                args.sample,
                args.seed,
                args.rule,
                args.repos_dir,
                args.context_lines,
                args.extra,
                args.sample_profile,
            )
        )
        return 0
    print(report(specs, results, labels, args.profile, args.repos_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
