"""
The house's floors, read from the code: which module may import which, and the
one order of a view's decorators. A new import the wrong way fails here.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["spasmlog", "audit", "logs", "reports", "accounts", "sharing", "reminders"]

# The apps each app may import, lowest floor first. spasmlog's own modules (dates,
# durations, counters, access, middleware...) are the leaves below every app; only
# its URLs and settings, the top of the house, import the apps.
MAY_IMPORT = {
    "spasmlog": set(),
    "audit": {"spasmlog"},
    "logs": {"spasmlog", "audit"},
    "reports": {"spasmlog", "audit", "logs", "sharing"},
    "sharing": {"spasmlog", "audit", "logs", "reports"},
    "accounts": {"spasmlog", "audit", "logs", "reports", "sharing"},
    "reminders": {"spasmlog", "audit", "logs"},
}
TOP = {"spasmlog.urls", "spasmlog.settings", "spasmlog.wsgi"}
# What reports may use of sharing: how a share is found, never its views.
REPORTS_FROM_SHARING = {"sharing.models", "sharing.access"}


def modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
                yield name, path


def imports(path):
    """Every module of the project that a file imports, at its top or inside a function."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # "from reports import summary" imports reports.summary.
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] in APPS:
                yield name


def test_no_module_imports_one_on_a_higher_floor():
    wrong = []
    for module, path in modules():
        if module in TOP:
            continue
        app = module.split(".")[0]
        for name in imports(path):
            target = name.split(".")[0]
            allowed = target == app or target in MAY_IMPORT[app]
            if app == "reports" and target == "sharing":
                allowed = name.startswith(tuple(REPORTS_FROM_SHARING))
            if not allowed:
                wrong.append(f"{module} imports {name}")
    assert wrong == []


def test_only_urls_import_another_apps_views_and_never_the_diarys_or_sharings():
    wrong = []
    for module, path in modules():
        for name in imports(path):
            other_app = name.split(".")[0] != module.split(".")[0]
            # Sharing's pages show a summary through the reports' views; nothing else calls another app's views.
            sharing_shows_a_summary = module == "sharing.views" and name.startswith("reports.views")
            if ".views" in name and other_app and not module.endswith("urls") and not sharing_shows_a_summary:
                wrong.append(f"{module} imports {name}")
    assert wrong == []


# A view's decorators, outermost first: the method, then who may open it, then caching.
DECORATOR_RANK = {
    "require_POST": 0,
    "patient_required": 1,
    "patient_json_required": 1,
    "clinician_required": 1,
    "second_step_required": 1,
    "link_required": 1,
    "never_cache": 2,
    "_valid_period": 3,
}


def view_decorators():
    for module, path in modules():
        if module.endswith("views"):
            for node in ast.parse(path.read_text()).body:
                if isinstance(node, ast.FunctionDef) and node.decorator_list:
                    names = [ast.unparse(decorator).split(".")[-1] for decorator in node.decorator_list]
                    yield f"{module}.{node.name}", names


@pytest.mark.parametrize("view, decorators", list(view_decorators()))
def test_every_view_puts_its_decorators_in_the_one_order(view, decorators):
    ranks = [DECORATOR_RANK[name] for name in decorators]
    assert ranks == sorted(ranks), decorators


def test_the_layout_test_reads_the_code():
    """Guards the guards: the walk finds the modules and their imports, so an empty walk cannot pass."""
    found = dict(modules())
    assert {"reports.views", "logs.models", "spasmlog.dates", "sharing.access"} <= set(found)
    assert "reports.summary" in set(imports(found["reports.views"]))
    assert len(list(view_decorators())) > 30
