"""Every list is declared once and run by the list engine (app.listing): no view or API module pages, counts
or limits a query of its own, and every declared list is served by a route. A list written again by hand in a
view fails here."""
import ast
import importlib
import pkgutil
from pathlib import Path

import app as app_package
from app.listing import ListSpec

APP = Path(app_package.__file__).parent
# What a hand-made list does: page (limit/offset), count its rows, or call a paging helper.
LIST_MAKING = {"limit", "offset", "paginate", "keyset_paginate", "count"}


def _view_modules() -> list[Path]:
    return sorted(path for path in APP.rglob("*.py") if path.name.endswith("views.py") or path.name == "api.py")


def _list_making_calls(path: Path, root: Path = APP.parent) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", None)
        owner = getattr(function, "value", None)
        if name in LIST_MAKING and not (isinstance(owner, ast.Name) and owner.id == "limiter"):
            found.append(f"{path.relative_to(root)}:{node.lineno} {name}()")
    return found


def test_no_view_or_api_module_pages_counts_or_limits_a_query_of_its_own():
    modules = _view_modules()
    assert len(modules) > 15, modules   # the scan sees the views (a moved tree would make it vacuous)
    calls = [call for path in modules for call in _list_making_calls(path)]
    assert calls == [], "declare the list in the module's lists.py (app.listing.ListSpec) instead:\n" + "\n".join(calls)


def test_the_scan_catches_a_list_written_by_hand(tmp_path):
    hand_made = tmp_path / "views.py"
    hand_made.write_text("def page():\n    return db.session.scalars(select(X).limit(50).offset(50))\n"
                         "@limiter.limit('30 per minute')\ndef ok():\n    pass\n")
    assert [call.split()[-1] for call in _list_making_calls(hand_made, tmp_path)] == ["offset()", "limit()"]


def _declared_lists() -> dict[str, ListSpec]:
    specs = {}
    for module in pkgutil.walk_packages([str(APP)], "app."):
        if module.name.endswith(".lists"):
            for value in vars(importlib.import_module(module.name)).values():
                if isinstance(value, ListSpec):
                    specs[f"{module.name}.{value.name}"] = value
    return specs


def test_every_declared_list_is_served_by_a_view_or_the_api(app):
    sources = "\n".join(path.read_text() for path in _view_modules())
    specs = _declared_lists()
    assert len(specs) >= 10, sorted(specs)
    for qualified, spec in specs.items():
        constant = next(name for name, value in vars(importlib.import_module(qualified.rsplit(".", 1)[0])).items()
                        if value is spec)
        assert f"({constant}," in sources, f"{qualified} ({constant}) is declared but no view or API list runs it"


def test_every_list_has_a_sortable_default_order_and_unique_keys(app):
    for qualified, spec in _declared_lists().items():
        default = spec.column(spec.default_sort.removeprefix("-"))
        assert default is not None and default.sort is not None, qualified
        keys = [column.key for column in spec.columns]
        assert len(keys) == len(set(keys)), qualified
        filter_keys = [list_filter.key for list_filter in spec.filters]
        assert len(filter_keys) == len(set(filter_keys)), qualified
        assert not set(filter_keys) & {"sort", "etter", "foer"}, qualified


def test_no_list_sorts_by_a_column_that_may_be_null(app):
    """Keyset paging compares the sort keys as a tuple; a NULL would drop rows from every page after it, so a
    nullable column is sorted through coalesce() (or a CASE) that gives it a value."""
    nullable = []
    for qualified, spec in _declared_lists().items():
        for column in spec.columns:
            if column.sort is None:
                continue
            for expression in column.sort if isinstance(column.sort, tuple) else (column.sort,):
                table_column = getattr(expression, "expression", expression)
                if getattr(table_column, "nullable", False) and not getattr(table_column, "primary_key", False):
                    nullable.append(f"{qualified}: {column.key} ({table_column})")
    assert nullable == []
