"""QC.Doc01-03: documentation kept as code, in one plain-text markup, and published online."""

from __future__ import annotations

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.registry import probe
from sqaaas.facts.docfiles import doc_dirs, doc_files, readme_path
from sqaaas.facts.docsites import PUBLISH_PAGES, docs_ci_jobs, site_evidence
from sqaaas.facts.markup import DOC_DIRS, PLAIN
from sqaaas.facts.project_urls import DOCUMENTATION, HOMEPAGE, urls_for
from sqaaas.facts.remotes import public_remotes
from sqaaas.forges import host_of, is_https, is_public_forge, web_url

BINARY_DOC_SUFFIXES = frozenset({".pdf", ".doc", ".docx", ".odt", ".rtf"})
#: Declared URLs that lead a reader to the documentation (a home page usually links it).
_DOC_URL_ROLES = (DOCUMENTATION, HOMEPAGE)


@probe("doc.as_code")
def as_code(ctx: RepoContext) -> Finding:
    """Docs are code when they are versioned: a tracked README or docs/ folder."""
    if ctx.git.repo is None:
        return Finding.failed(
            "not a git repository: the documentation is not under version control",
            hint="Keep the documentation in git with the code: git add README.md docs/",
        )
    evidence: list[Evidence] = []
    passed = False
    readme = ctx.fact(readme_path)
    if readme:
        tracked = ctx.git.is_tracked(ctx.fs.root, readme)
        passed |= tracked
        state = "is tracked by git" if tracked else "exists but is not tracked by git"
        evidence.append(Evidence(message=f"{readme} {state}", path=readme, value=tracked))
    for directory in ctx.fact(doc_dirs):
        passed |= directory.tracked
        evidence.append(directory.describe())
    if passed:
        return Finding(outcome=Outcome.PASS, evidence=evidence)
    if not evidence:
        evidence.append(Evidence(message="no README and no docs/ (or doc/) folder"))
    return Finding(
        outcome=Outcome.FAIL,
        evidence=evidence,
        hint="Write the documentation as files next to the code (README.md, docs/) and "
        "commit them: git add README.md docs/ && git commit",
    )


@probe("doc.in_repo")
def in_repo(ctx: RepoContext) -> Finding:
    """Documentation beyond the README lives here: a tracked docs folder or a site config."""
    evidence = [d.describe() for d in ctx.fact(doc_dirs) if d.tracked]
    evidence += site_evidence(ctx)
    if evidence:
        return Finding(outcome=Outcome.PASS, evidence=evidence)
    readme = ctx.fact(readme_path)
    return Finding.failed(
        f"apart from {readme or 'the README'}, no documentation (docs/, doc/ or a documentation "
        "site configuration) lives in this repository",
        hint="Keep the full documentation in a docs/ folder of this repository, so that it "
        "changes in the same commits as the code it describes.",
        path=readme,
    )


def _language_counts(ctx: RepoContext) -> dict[str, list[str]]:
    counts: dict[str, list[str]] = {}
    for doc in ctx.fact(doc_files):
        counts.setdefault(doc.language, []).append(doc.path)
    return counts


def _language_evidence(counts: dict[str, list[str]]) -> list[Evidence]:
    return [
        Evidence(message=f"{len(paths)} {language} file(s)", value=paths[:5])
        for language, paths in sorted(counts.items(), key=lambda kv: -len(kv[1]))
    ]


@probe("doc.markup")
def markup(ctx: RepoContext) -> Finding:
    """Documentation files are plain-text markup, and docs/ is not only binary documents."""
    counts = _language_counts(ctx)
    binary = [
        e.path for e in ctx.fs.files
        if e.suffix in BINARY_DOC_SUFFIXES and e.path.split("/", 1)[0].lower() in DOC_DIRS
    ]
    in_dirs = [f for d in ctx.fact(doc_dirs) for f in d.files]
    hint = (
        "Write the documentation in a plain-text markup language (Markdown .md, "
        "reStructuredText .rst or AsciiDoc .adoc) and keep it in the repository."
    )
    if not counts:
        return Finding.failed("no documentation files in plain-text markup", hint=hint)
    evidence = _language_evidence(counts)
    if binary:
        evidence.append(
            Evidence(
                message=f"{len(binary)} binary document(s) in the docs folder", value=binary[:5]
            )
        )
        if not in_dirs:
            evidence.insert(
                0,
                Evidence(
                    message="the docs folder holds only binary documents (PDF/Word/ODT), "
                    "which cannot be diffed or reviewed as text",
                    path=binary[0],
                ),
            )
            return Finding(
                outcome=Outcome.FAIL,
                evidence=evidence,
                hint=hint + " Convert the binary documents, or generate them from the markup.",
            )
    return Finding(outcome=Outcome.PASS, evidence=evidence)


@probe("doc.single_markup")
def single_markup(ctx: RepoContext) -> Finding:
    """One markup language across the documentation (plain text does not count as one)."""
    counts = _language_counts(ctx)
    if not counts:
        return Finding.not_applicable("no documentation files to compare")
    languages = {lang: paths for lang, paths in counts.items() if lang != PLAIN}
    evidence = _language_evidence(languages or counts)
    if len(languages) <= 1:
        only = next(iter(languages), PLAIN)
        evidence.insert(0, Evidence(message=f"all documentation uses {only}", value=only))
        return Finding(outcome=Outcome.PASS, evidence=evidence)
    dominant = max(languages, key=lambda lang: len(languages[lang]))
    others = sorted(lang for lang in languages if lang != dominant)
    evidence.insert(
        0,
        Evidence(
            message=f"{len(languages)} markup languages mixed: mostly {dominant}, "
            f"also {', '.join(others)}",
            value=sorted(languages),
        ),
    )
    return Finding(
        outcome=Outcome.FAIL,
        evidence=evidence,
        hint=f"Settle on one markup language ({dominant} is the most used here) and convert "
        f"the {', '.join(others)} files, e.g. with pandoc.",
    )


_CLONED = "the repository was cloned anonymously over https, so the page is public"
_OFFLINE = "not verified online (offline assessment)"


def _forge_rendering(ctx: RepoContext) -> list[Evidence]:
    """A public forge renders the README (and markup files) of the repositories it hosts."""
    rendered = ctx.fact(readme_path) or next((f.path for f in ctx.fact(doc_files)), None)
    if rendered is None:
        return []
    places: list[tuple[str, str | None, str]] = []  # (host, page, how we know)
    clone = ctx.checkout.url if ctx.checkout.cloned else None
    if clone and is_https(clone):
        host = host_of(clone)
        if host is not None and is_public_forge(host, ctx.config.public_forges):
            places.append((host, web_url(clone), _CLONED))
    places += [(r.host, r.page, _OFFLINE) for r in ctx.fact(public_remotes)]
    found: list[Evidence] = []
    seen: set[str] = set()
    for host, page, how in places:
        if page and page not in seen:
            seen.add(page)
            found.append(
                Evidence(
                    message=f"{rendered} is rendered online by the public forge {host} at "
                    f"{page}; {how}",
                    path=rendered,
                    value=page,
                )
            )
    return found


@probe("doc.online")
def online(ctx: RepoContext) -> Finding:
    """A documentation URL, a hosting/site configuration, or a README rendered by a forge."""
    evidence = [u.evidence("documentation/home page") for u in urls_for(ctx, *_DOC_URL_ROLES)]
    evidence += site_evidence(ctx, online=True)
    evidence += [e for e in ctx.fact(docs_ci_jobs) if e.message == PUBLISH_PAGES]
    evidence += _forge_rendering(ctx)
    if evidence:
        return Finding(outcome=Outcome.PASS, evidence=evidence)
    remotes = ", ".join(f"{r.name} ({host_of(r.url) or r.url})" for r in ctx.git.remotes)
    return Finding.failed(
        "no documentation URL in the metadata (pyproject.toml, setup.cfg, setup.py, "
        "CITATION.cff, codemeta.json, package.json, composer.json, Cargo.toml, DESCRIPTION), "
        "no documentation hosting configuration, and "
        + (f"no remote on a public forge (remotes: {remotes})" if remotes else "no remote"),
        hint="Publish the documentation and say where: e.g. add .readthedocs.yaml (Read the "
        "Docs) or mkdocs.yml with 'mkdocs gh-deploy', and record the URL under [project.urls] "
        "Documentation in pyproject.toml or 'url' in CITATION.cff. Pushing the repository to a "
        "public forge also publishes its README.",
    )


@probe("doc.build_config")
def build_config(ctx: RepoContext) -> Finding:
    """The documentation is generated by a tool (site configuration or a CI docs job)."""
    evidence = site_evidence(ctx) + list(ctx.fact(docs_ci_jobs))
    if evidence:
        return Finding(outcome=Outcome.PASS, evidence=evidence)
    return Finding.failed(
        "no documentation build configuration (Sphinx conf.py, mkdocs.yml, .readthedocs.yaml, "
        "Antora, Docusaurus, ...) and no CI job building or publishing the documentation",
        hint="Render the documentation automatically: e.g. add mkdocs.yml and a CI job running "
        "'mkdocs gh-deploy', or a Sphinx docs/conf.py with a .readthedocs.yaml.",
    )


