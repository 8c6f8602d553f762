"""QC.Sty04: style checks run automatically for every change (CI or pre-commit).

Running the linters themselves (QC.Sty01) is the job of the code-criteria tools; here only
the wiring visible in the repository is read: CI lines and what their tasks run
(`npm run lint` -> `eslint .`, sqaaas.facts.commands), and pre-commit hooks.
"""

from __future__ import annotations

import re

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.registry import probe
from sqaaas.facts import ci, commands
from sqaaas.facts.ci_unread import cannot_tell

#: label -> regex of a CI or pre-commit line running a style checker or formatter check
LINTERS: dict[str, str] = {
    "linter: ruff": r"\bruff\b",
    "linter: flake8": r"\bflake8\b",
    "linter: pylint": r"\bpylint\b",
    "formatter check: black": r"\bblack\b",
    "import order: isort": r"\bisort\b",
    "linter: pycodestyle/pydocstyle": r"\b(pycodestyle|pydocstyle)\b",
    "linter: ESLint": r"\beslint\b|\b(?:ng|next|nuxt|nx)\s+lint\b|\bvue-cli-service\s+lint\b",
    "formatter check: Prettier": r"\bprettier\b",
    "linter: Biome": r"\bbiome\s+(check|lint|ci)\b|biomejs/",
    "linter: Stylelint": r"\bstylelint\b",
    "linter: ShellCheck": r"\bshellcheck\b",
    "linter: Hadolint": r"\bhadolint\b",
    "linter: yamllint": r"\byamllint\b",
    "linter: markdownlint": r"markdownlint",
    "C/C++: clang-format/clang-tidy/cpplint": r"\bclang-(format|tidy)\b|\bcpplint\b",
    "Go: gofmt/golangci-lint/go vet/staticcheck": r"\bgofmt\b|golangci-lint|\bgo\s+vet\b"
    r"|\bstaticcheck\b",
    "Rust: rustfmt/clippy": r"\brustfmt\b|\bcargo\s+(fmt|clippy)\b",
    "linter: RuboCop": r"\brubocop\b",
    "JVM: Checkstyle/Spotless/ktlint": r"\bcheckstyle\b|\bspotless|\bktlint\b",
    "R: lintr/styler": r"\blintr\b|\bstyler\b",
    "Julia: JuliaFormatter": r"JuliaFormatter",
    "PHP: PHP_CodeSniffer/PHP-CS-Fixer": r"\bphpcs\b|php-cs-fixer",
    "linter: SwiftLint": r"\bswiftlint\b",
    "Perl: perlcritic/perltidy": r"\bperl(critic|tidy)\b",
    "linter bundle: Super-Linter/MegaLinter": r"super-linter|megalinter",
    "EditorConfig checker": r"editorconfig-checker",
    "pre-commit hooks run in CI": r"\bpre-commit\s+run\b|pre-commit/action|\bprek\s+run\b",
}
_PRE_COMMIT_CI = {
    "pre-commit.ci runs the hooks on every push and pull request": re.compile(r"^ci\s*:")
}


@probe("sty.linters_in_ci")
def linters_in_ci(ctx: RepoContext) -> Finding:
    """A style checker runs in CI for every change, or as a pre-commit hook."""
    hits = commands.search(ctx, LINTERS, include_pre_commit=True, limit=500)
    kept, dropped = ci.split_by_trigger(ctx, hits)
    if not kept:
        failed = Finding(
            outcome=Outcome.FAIL,
            evidence=[
                Evidence(message="no style checker runs in CI for every change, nor in pre-commit"),
                *dropped[:10],
            ],
        )  # no hint of its own: QC.Sty04's hint for the repository's language names the linter
        return cannot_tell(ctx, failed)
    evidence = kept[:10]
    if all(h.path == ci.PRE_COMMIT for h in kept):  # no CI step runs linters or the hooks
        service = ci.match_lines(ci.PRE_COMMIT, ctx.fact(ci.pre_commit_lines), _PRE_COMMIT_CI)
        evidence += service or [
            Evidence(
                message="the hooks run on the commits of developers who installed them; nothing "
                "in CI enforces them (pre-commit/action or pre-commit.ci would)",
                path=ci.PRE_COMMIT,
            )
        ]
    return Finding(outcome=Outcome.PASS, evidence=evidence)
