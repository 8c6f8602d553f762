"""QC.Sec: a security policy, security tooling wired into CI, no world-writable files.

SAST itself (QC.Sec02) needs the tool runs of the next release; what the repository
shows offline is assessed here.
"""

from __future__ import annotations

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.registry import probe
from sqaaas.facts import ci, commands
from sqaaas.facts.ci_unread import cannot_tell
from sqaaas.facts.filemodes import world_writable_finding

_POLICY_DIRS = ("", "docs", ".github", ".gitlab")
_SHOWN = 20

#: label -> regex of a CI or pre-commit line running a security analysis
SECURITY_TOOLS: dict[str, str] = {
    "SAST: bandit": r"\bbandit\b",
    "SAST: CodeQL": r"github/codeql-action",
    "SAST: Semgrep": r"\bsemgrep\b",
    "SAST: gosec": r"\bgosec\b",
    "SAST: Brakeman": r"\bbrakeman\b",
    "SAST: SpotBugs / Find Security Bugs": r"\bspotbugs\b|find-sec-bugs",
    "SAST: Flawfinder": r"\bflawfinder\b",
    "SAST: SonarQube / SonarCloud": r"\bsonar",
    "SAST: Snyk": r"\bsnyk\b",
    "IaC/container scan: Trivy": r"\btrivy\b",
    "IaC/container scan: Grype": r"\bgrype\b|anchore/scan-action",
    "IaC scan: Checkov / tfsec / KICS": r"\b(checkov|tfsec|kics)\b",
    "dependency audit: pip-audit": r"\bpip-audit\b|gh-action-pip-audit",
    "dependency audit: safety": r"\bsafety\s+(check|scan)\b",
    "dependency audit: npm/yarn/pnpm audit": r"\b(npm|yarn|pnpm)\s+audit\b",
    "dependency audit: cargo audit/deny": r"\bcargo[- ](audit|deny)\b",
    "dependency audit: govulncheck": r"\bgovulncheck\b",
    "dependency audit: OSV-Scanner": r"osv-scanner",
    "dependency audit: OWASP Dependency-Check": r"dependency-check",
    "dependency review: actions/dependency-review-action": r"actions/dependency-review-action",
    "secret scan: gitleaks/TruffleHog/detect-secrets": r"\b(gitleaks|trufflehog|detect-secrets)\b",
    "supply-chain checks: OpenSSF Scorecard": r"ossf/scorecard-action",
}
_UPDATE_BOTS = {
    ".github/dependabot.yml": "Dependabot",
    ".github/dependabot.yaml": "Dependabot",
    "renovate.json": "Renovate",
    "renovate.json5": "Renovate",
    ".renovaterc": "Renovate",
    ".renovaterc.json": "Renovate",
    ".github/renovate.json": "Renovate",
    ".github/renovate.json5": "Renovate",
    ".gitlab/renovate.json": "Renovate",
}


@probe("sec.security_policy")
def security_policy(ctx: RepoContext) -> Finding:
    """A SECURITY policy tells how vulnerabilities are reported and handled."""
    found = ctx.fs.find(["SECURITY"], dirs=_POLICY_DIRS)
    empty: list[str] = []
    for path in found:
        if (file := ctx.fs.try_read_text(path, limit=100_000)) is None:
            continue
        text = file.text
        if text.strip():
            first = next(line.strip() for line in text.splitlines() if line.strip())
            return Finding.passed(
                f"security policy found ({len(text.split())} words)", path=path, excerpt=first[:120]
            )
        empty.append(path)
    if empty:
        return Finding.failed(
            "the security policy is empty",
            hint=f"Write in {empty[0]} how to report a vulnerability privately, which versions "
            "get security fixes and how fixes are announced.",
            path=empty[0],
        )
    return Finding.failed(
        "no security policy (SECURITY.md in the root, docs/ or .github/)",
        hint="Add SECURITY.md stating how to report a vulnerability privately (e.g. GitHub "
        "private vulnerability reporting or a security contact e-mail), which versions are "
        "supported and the secure-coding practices the project follows (e.g. OWASP).",
    )


@probe("sec.tools_in_ci")
def tools_in_ci(ctx: RepoContext) -> Finding:
    """Security analysers (SAST, dependency audit, secret scan) run in CI or pre-commit."""
    hits = commands.search(ctx, SECURITY_TOOLS, include_pre_commit=True, limit=500)
    # A weekly or release-time scan still feeds security reviews: any trigger counts.
    hits, not_run = ci.split_by_trigger(ctx, hits, every_change=False)
    bots = [
        Evidence(message=f"dependency updates by {bot} (raises security-update PRs)", path=path)
        for path, bot in _UPDATE_BOTS.items()
        if ctx.fs.is_file(path)
    ]
    if hits or bots:
        return Finding(outcome=Outcome.PASS, evidence=hits[:_SHOWN] + bots)
    failed = Finding(
        outcome=Outcome.FAIL,
        evidence=[
            Evidence(
                message="no security analyser or dependency-update bot is wired into CI or "
                "pre-commit"
            ),
            *not_run[:_SHOWN],
        ],
    )  # no hint of its own: QC.Sec03's hint for the repository's language names the tools
    return cannot_tell(ctx, failed, every_change=False)


@probe("sec.no_world_writable")
def no_world_writable(ctx: RepoContext) -> Finding:
    """No file or directory of the product is writable by every user."""
    return world_writable_finding(ctx)
