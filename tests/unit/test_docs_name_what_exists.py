"""Issue 22, point 5: docs that can't drift. Every repository path, Python module (and the attribute after it), test
and `make` target that docs/*.md and README.md name exists; a file moved or renamed without its docs fails here with
the doc's line and what it names.

What counts as a reference (in `inline code`, and in fenced blocks only the unambiguous forms marked *):
- a path under a root of the repository* (`shared/…`, `functions/…`, `local/…`, `tests/…`, `docs/…`, `openapi/…`,
  `bench/…`, `web/…`, `events/…`), or a short form the docs use, resolved against the few places code lives:
  `core/http.py` is `shared/integrations/core/http.py`, `woocommerce/importer.py` the connector's, `unit/` is
  `tests/unit/`; a placeholder (`<platform>`, `{name}`, `*`) is a wildcard and must match at least one path;
- a bare file name (`importer.py`): some file of that name exists in the repository;
- a dotted module (`core.ratelimit.SpacedBudget`, `integrations.core.errors`, `local.plugins.SandboxPlugin`) or a
  `"module:attribute"` string*: the module file exists and defines each name after it (read with `ast`, not
  imported: this test only reads files);
- `file.py::test_name`, and a bare `test_name` (a trailing `…` means "a test whose name starts so"): defined in tests/;
- `make target`*: a target of the Makefile;
- a template.yaml name* (`WooCommerceWorkerFunction`, `WmsQueue`, a schedule `…Schedule`, an output `…Url`): named
  in template.yaml; a function's folder name* (`wms_notification`, `woocommerce_worker`): a folder of functions/;
- a relative Markdown link `[text](path#anchor)`: the file exists, and so does the heading the anchor names;
- a section named in words after its page (`docs/woocommerce.md "AWS request budget"`, `README, "Cold start"`): that
  page has a heading, or a bold lead-in, starting with those words.
"""

from __future__ import annotations

import ast
import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCUMENTS = [*sorted((REPO / "docs").glob("*.md")), REPO / "README.md"]

# Where a short form is resolved, in order: the repository, then the places the docs abbreviate.
ROOTS = ("", "shared/", "shared/integrations/", "shared/integrations/core/", "tests/", "web/src/")
# First folders that make a `a/b` token a repository path (and not, say, `application/json`). Stated here rather
# than read from the tree, so a folder that disappears is reported, not silently no longer checked.
FULL_ROOTS = {"shared", "functions", "local", "tests", "docs", "openapi", "bench", "web", "events"}
SHORT_ROOTS = {"integrations", "core", "management", "cartoncloud", "woocommerce", "unleashed", "starshipit",
               "rose_rocket", "stores", "sandboxes", "unit", "functional", "contract", "e2e", "fuzz", "browser",
               "fixtures", "kits", "configure", "screens", "integration"}
FILE_SUFFIXES = (".py", ".md", ".yaml", ".yml", ".json", ".ts", ".tsx", ".txt", ".toml", ".html", ".png", ".csv")
# Dotted names that are modules of ours: `core.x`, `integrations.x`, `local.x`, `management.x`, `cartoncloud.x`.
# (Not the connectors' keys: `woocommerce.order.changed` is a work item kind, not a module.)
MODULE_ROOTS = {"integrations": "shared/integrations", "core": "shared/integrations/core",
                "management": "shared/integrations/management", "cartoncloud": "shared/integrations/cartoncloud",
                "local": "local", "tests": "tests"}

# Things the docs put in code that look like paths but deliberately name no file of this repository.
NOT_FILES = {
    "woocommerce/woocommerce-rest-api-docs": "a vendor's GitHub repository (the source of an assumption)",
    "web/src/**/*.test.ts(x)": "a glob of the console's tests, .ts or .tsx (`(x)` is no glob syntax)",
    "functions/console/static/": "the console's build output (`make console`), ignored by git",
    "platform-apis.md": "the team's vendor-research notes, kept outside this repository: cited as a source, as a "
                        "vendor's page is",
}
#: Notes outside the repository that pages cite by section, as they would a vendor's page.
OUTSIDE_NOTES = {"platform-apis.md", "platform-apis-followup.md"}
SKIPPED_FILES = ("SOURCES.md",)  # vendor examples' provenance: names vendor files, not ours

SKIP_DIRS = {".git", ".venv", ".venv-sam", "node_modules", ".aws-sam", "__pycache__", "dist"}


@dataclass(frozen=True)
class Reference:
    document: str
    line: int
    text: str
    kind: str

    def where(self) -> str:
        return f"{self.document}:{self.line}: `{self.text}`"


@functools.cache
def repository_files() -> tuple[str, ...]:
    found = []
    for folder, dirs, files in os.walk(REPO):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        found += [os.path.relpath(os.path.join(folder, name), REPO) for name in files]
    return tuple(sorted(found))


@functools.cache
def file_names() -> frozenset[str]:
    return frozenset(os.path.basename(path) for path in repository_files())


@functools.cache
def defined_tests() -> dict[str, frozenset[str]]:
    """Every test function under tests/, by file."""
    names: dict[str, frozenset[str]] = {}
    for path in (REPO / "tests").rglob("test_*.py"):
        tree = ast.parse(path.read_text())
        names[path.relative_to(REPO).as_posix()] = frozenset(
            node.name for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_"))
    return names


@functools.cache
def template_text() -> str:
    return (REPO / "template.yaml").read_text()


@functools.cache
def make_targets() -> frozenset[str]:
    text = (REPO / "Makefile").read_text()
    return frozenset(re.findall(r"^([a-z0-9][a-z0-9-]*):", text, re.M))


# --- Reading the docs -------------------------------------------------------------------------------------------

#: A template.yaml name: a resource, a schedule event, a parameter or output (`WooCommerceWorkerFunction`, `WmsQueue`).
TEMPLATE_NAME = re.compile(r"(?<![\w./:{<>])[A-Z][A-Za-z0-9]+(?:Function|Queue|Table|Alarm|Topic|Schedule|Url)\b"
                           r"(?![.(])")
#: A function by its folder under functions/ (`wms_notification`, `woocommerce_worker`, `billing_schedule`).
FUNCTION_NAME = re.compile(r"(?<![\w./:{<-])[a-z][a-z_]*_(?:worker|webhook|poll_schedule|schedule|notification|labels|"
                           r"actions|rating)\b(?![./(])")
FENCE = re.compile(r"^```.*?^```[^\n]*$", re.M | re.S)
SPAN = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
LINK = re.compile(r"\]\(([^)\s]+)\)")
SECTION = re.compile(r"(?:\b([\w-]+\.md)\b|\bREADME\b)(?:\]\([^)]*\))?[,:]?\s{1,3}(?:\(|, )?[\"“]([^\"”\n]{3,80})[\"”]")


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def references(document: Path) -> list[Reference]:
    """What a document names, with the line it is on."""
    name = document.relative_to(REPO).as_posix()
    text = document.read_text()
    found: list[Reference] = []
    fences = list(FENCE.finditer(text))
    prose = FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), text)  # keep line numbers
    for match in SPAN.finditer(prose):
        span = re.sub(r"\s*\n\s*", " ", match.group(2).strip())
        found += [Reference(name, line_of(prose, match.start()), token, kind)
                  for token, kind in tokens(span, fenced=False)]
    for fence in fences:
        for number, line in enumerate(fence.group(0).splitlines()[1:-1], start=line_of(text, fence.start()) + 1):
            found += [Reference(name, number, token, kind) for token, kind in tokens(line, fenced=True)]
    for match in LINK.finditer(prose):
        if not re.match(r"[a-z]+:", match.group(1)):
            found.append(Reference(name, line_of(prose, match.start()), match.group(1), "link"))
    for match in SECTION.finditer(prose):
        page = match.group(1) or "README.md"
        if page not in OUTSIDE_NOTES:
            found.append(Reference(name, line_of(prose, match.start()), f"{page}#{match.group(2)}", "section"))
    return found


@functools.cache
def headings(page: Path) -> tuple[list[str], set[str]]:
    """A page's headings and bold lead-ins (as written, without markup), and the anchors GitHub makes of them."""
    text = FENCE.sub("", page.read_text())
    titles = [re.sub(r"[`*]", "", title).strip() for title in re.findall(r"^#{1,6} (.+)$", text, re.M)]
    leads = re.findall(r"\*\*([^*\n]+)\*\*", text)
    anchors: set[str] = set()
    seen: dict[str, int] = {}
    for title in titles:
        slug = re.sub(r"[^\w\- ]", "", re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", title.lower())).replace(" ", "-")
        anchors.add(f"{slug}-{seen[slug]}" if slug in seen else slug)
        seen[slug] = seen.get(slug, 0) + 1
    unnumbered = [re.sub(r"^\d+[a-z]?\. ", "", title) for title in titles]  # "2a. Tenant-level …" named without it
    return titles + unnumbered + leads, anchors


def tokens(span: str, *, fenced: bool) -> list[tuple[str, str]]:
    """The references in one code span (or one line of a fenced block), each with its kind."""
    found: list[tuple[str, str]] = []
    make = re.match(r"(?:\$ )?make ([a-z0-9-]+)", span.strip())
    if make:
        found.append((make.group(1), "make"))
    found += [(name, "template name") for name in TEMPLATE_NAME.findall(span)]
    found += [(name, "function") for name in FUNCTION_NAME.findall(span)]
    for raw in re.split(r"[\s,;=\"'|]+(?![^<]*>)", span):
        token = raw.strip("[]`").removesuffix("…").strip(".:") if not raw.endswith("…") else raw.strip("[]`")
        while token.startswith("(") and token.count("(") > token.count(")"):
            token = token[1:]
        while token.endswith(")") and token.count(")") > token.count("("):
            token = token[:-1].rstrip(".:")
        if not token or "://" in token or token.startswith(("/", "{", "$", "@", "-", "~", ".venv")):
            continue
        kind = classify(token, fenced=fenced)
        if kind:
            found.append((token, kind))
    return found


def classify(token: str, *, fenced: bool) -> str | None:
    if "::" in token:
        return "test" if token.split("::")[-1].startswith("test_") else None
    if re.fullmatch(r"test_\w+…?", token):
        return None if fenced else "test"
    if re.fullmatch(r"[a-z_]+(\.[a-z_]\w*)+:[A-Za-z_]\w*", token):
        return "module"
    first = token.split("/", 1)[0]
    if "/" in token and first in FULL_ROOTS:
        return "path"
    if fenced:
        return None
    if "/" in token and (first in SHORT_ROOTS or token.endswith(FILE_SUFFIXES)):
        return "path"
    if "/" not in token and token.endswith(FILE_SUFFIXES) and re.fullmatch(r"[\w.<>*-]+", token):
        return "file name"
    if re.fullmatch(r"[a-z_]+(\.[A-Za-z_]\w*)+(\(\))?", token) and first.split(".")[0] in MODULE_ROOTS:
        return "module"
    return None


# --- Resolving ----------------------------------------------------------------------------------------------------

def as_glob(path: str) -> str:
    return re.sub(r"<[^>]*>|\{[^}]*\}", "*", path)


def path_exists(token: str) -> bool:
    pattern = as_glob(token)
    for root in ROOTS:
        if pattern == token:
            if (REPO / root / token).exists():
                return True
            continue
        wildcard = re.escape(root + pattern.rstrip("/")).replace(r"\*\*/", "(.*/)?").replace(r"\*", "[^/]*")
        wanted = re.compile(wildcard + "(/.*)?$")  # a folder matches through any file under it
        if any(wanted.match(path) for path in repository_files()):
            return True
    return False


@functools.cache
def defined_names(source: Path) -> dict[str, ast.AST]:
    return names_in(ast.parse(source.read_text()).body)


def names_in(body: list[ast.stmt]) -> dict[str, ast.AST]:
    names: dict[str, ast.AST] = {}
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names[node.name] = node
        elif isinstance(node, ast.Assign):
            names.update({target.id: node for target in node.targets if isinstance(target, ast.Name)})
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = node
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update({(alias.asname or alias.name).split(".")[0]: node for alias in node.names})
        elif isinstance(node, ast.If | ast.Try):
            names.update(names_in(node.body))
    return names


def module_problem(token: str) -> str | None:
    """Why a dotted name is not ours, or None when its module exists and defines every name after it."""
    dotted, _, attribute = token.removesuffix("()").partition(":")
    parts = dotted.split(".") + ([attribute] if attribute else [])
    base = Path(MODULE_ROOTS[parts[0]])
    module, rest = None, parts[1:]
    for count in range(len(parts), 0, -1):
        candidate = base.joinpath(*parts[1:count])
        if (REPO / candidate.with_suffix(".py")).is_file() and count > 1:
            module, rest = REPO / candidate.with_suffix(".py"), parts[count:]
            break
        if (REPO / candidate / "__init__.py").is_file():
            module, rest = REPO / candidate / "__init__.py", parts[count:]
            break
    if module is None:
        return f"no module {base.joinpath(*parts[1:2])}(.py)"
    scope = defined_names(module)
    for name in rest:
        if name not in scope:
            where = module.relative_to(REPO)
            if module.name == "__init__.py" and name == rest[0]:
                return f"no module {where.parent}/{name}.py, and {where} defines no `{name}`"
            return f"{where} defines no `{name}`"
        node = scope[name]
        if not isinstance(node, ast.ClassDef):
            break  # a function or a value: what follows is its attribute, not ours to read statically
        scope = names_in(node.body)
    return None


def problem(reference: Reference) -> str | None:
    token = reference.text
    if token in NOT_FILES:
        return None
    if reference.kind == "path":
        if path_exists(token):
            return None
        return f"no such file or folder (looked under: {', '.join(root or './' for root in ROOTS)})"
    if reference.kind == "link":
        base = (REPO / reference.document).parent
        path, _, anchor = token.partition("#")
        target = (base / path) if path else REPO / reference.document
        if not target.exists():
            return f"the link's target {target.relative_to(REPO) if target.is_relative_to(REPO) else target} " \
                "does not exist"
        if anchor and target.suffix == ".md" and anchor not in headings(target.resolve())[1]:
            return f"{target.resolve().relative_to(REPO)} has no heading whose anchor is #{anchor}"
        return None
    if reference.kind == "section":
        page, _, words = token.partition("#")
        target = REPO / page if page == "README.md" else REPO / "docs" / page
        if not target.exists():
            return f"no page {target.relative_to(REPO)}"
        titles = headings(target)[0]
        return None if any(title.startswith(words) for title in titles) else \
            f"{target.relative_to(REPO)} has no heading (or bold lead-in) starting \"{words}\""
    if reference.kind == "file name":
        if "<" in token or "*" in token:
            pattern = re.compile(re.escape(as_glob(token)).replace(r"\*", ".*") + "$")
            return None if any(pattern.match(name) for name in file_names()) else "no file matches it"
        return None if token in file_names() else "no file of that name in the repository"
    if reference.kind == "module":
        return module_problem(token)
    if reference.kind == "template name":
        return None if re.search(rf"\b{token}\b", template_text()) else "template.yaml names no such resource, " \
            "event, parameter or output"
    if reference.kind == "function":
        return None if (REPO / "functions" / token).is_dir() else f"no function folder functions/{token}/"
    if reference.kind == "make":
        return None if token in make_targets() else "no such target in the Makefile"
    if reference.kind == "test":
        return unknown_test(token)
    raise AssertionError(reference.kind)


def unknown_test(token: str) -> str | None:
    file, _, name = token.rpartition("::")
    prefix = name.endswith("…")
    name = name.removesuffix("…").rstrip("_") if prefix else name
    files = {file: defined_tests().get(file, frozenset())} if file else defined_tests()
    if file and file not in defined_tests():
        return f"no test file {file}"
    if any(name in names or (prefix and any(n.startswith(name) for n in names)) for names in files.values()):
        return None
    if not file and any(Path(path).stem == name for path in defined_tests()):
        return None  # a test module named bare (`test_connectors`)
    return f"no test named {name}{'…' if prefix else ''} in {file or 'tests/'}"


# --- The tests ----------------------------------------------------------------------------------------------------

ALL = [reference for document in DOCUMENTS for reference in references(document)
       if not document.name.endswith(SKIPPED_FILES)]


def test_every_path_module_test_and_target_the_docs_name_exists():
    missing = [f"{reference.where()} ({reference.kind}): {why}"
               for reference in ALL if (why := problem(reference))]
    assert not missing, f"{len(missing)} of {len(ALL)} references in docs/ and README.md name nothing:\n" + \
        "\n".join(missing)


CODE_CITATION = re.compile(r"docs/([\w-]+\.md)(?:#([\w-]+)|,? [\"“]([^\"”\n]{3,80})[\"”])?")


def test_the_code_cites_pages_and_sections_that_exist():
    """Comments, docstrings, the template and the Makefile point at docs pages (`docs/unleashed.md "Budgets"`): the
    page must exist, and the section too when one is named."""
    missing = []
    for path in repository_files():
        if not path.startswith(("shared/", "functions/", "local/", "tests/", "bench/", "openapi/")) and \
                path not in ("template.yaml", "Makefile") or path == Path(__file__).relative_to(REPO).as_posix():
            continue
        if not path.endswith((".py", ".yaml", ".yml")) and path != "Makefile":
            continue
        text = (REPO / path).read_text()
        for match in CODE_CITATION.finditer(text):
            page, anchor, words = REPO / "docs" / match.group(1), match.group(2), match.group(3)
            where = f"{path}:{line_of(text, match.start())}: {match.group(0)}"
            if not page.is_file():
                missing.append(f"{where}: no such page")
            elif anchor and anchor not in headings(page)[1]:
                missing.append(f"{where}: no heading whose anchor is #{anchor}")
            elif words and not any(title.startswith(words) for title in headings(page)[0]):
                missing.append(f"{where}: no heading (or bold lead-in) starting \"{words}\"")
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("kind, at_least", [("path", 200), ("file name", 50), ("module", 50), ("test", 20),
                                            ("make", 50), ("link", 80),
                                            ("template name", 50), ("function", 40),
                                            ("section", 20)])
def test_the_docs_are_read(kind, at_least):
    """The reader itself can't quietly stop finding references (a changed regex would pass everything)."""
    assert sum(reference.kind == kind for reference in ALL) >= at_least


def test_the_allow_list_is_still_needed():
    named = {reference.text for reference in ALL}
    assert set(NOT_FILES) <= named, f"no doc names these any more: {sorted(set(NOT_FILES) - named)}"


def test_a_missing_path_is_reported_with_its_line():
    reference = Reference("docs/x.md", 7, "core/no_such_module.py", "path")
    assert problem(reference) and reference.where() == "docs/x.md:7: `core/no_such_module.py`"
    assert module_problem("core.http.NoSuchName") == "shared/integrations/core/http.py defines no `NoSuchName`"
    assert unknown_test("test_no_such_test") == "no test named test_no_such_test in tests/"
    assert unknown_test("test_connectors") is None and unknown_test("test_connectors_at_all") is not None
