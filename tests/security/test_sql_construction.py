"""SQL is never built from strings (ASVS 1.2.4): every query goes through SQLAlchemy with bound parameters.
This walks the syntax tree of every module in app/ and refuses raw SQL that is not a constant string:
`sqlalchemy.text(...)` and `exec_driver_sql(...)` must be given a literal, and no `.execute(...)` (DB-API
cursors, sqlite3, SQLAlchemy) may be given an f-string, a `+` or `%` expression or a `.format()` call."""
import ast

from config import BASE_DIR

RAW_SQL_CALLS = {"exec_driver_sql"}                          # methods that take SQL text only
EXECUTE_CALLS = {"execute", "executemany", "executescript"}  # take SQL text or a statement object


def _is_built_string(node: ast.expr) -> bool:
    """An expression that builds a string at run time: f-string, +, %, or str.format()."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return True
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"format", "format_map", "join", "replace"})


def _sqlalchemy_text_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Names bound to sqlalchemy.text in this module, and the names the sqlalchemy module goes by."""
    functions, modules = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in ("sqlalchemy", "sqlalchemy.sql",
                                                                "sqlalchemy.sql.expression"):
            functions |= {alias.asname or alias.name for alias in node.names if alias.name == "text"}
        elif isinstance(node, ast.Import):
            modules |= {alias.asname or alias.name for alias in node.names if alias.name == "sqlalchemy"}
    return functions, modules


def string_built_sql(source: str, filename: str = "<source>") -> list[str]:
    """Where `source` hands SQL built at run time to the database, as 'file:line: call'."""
    tree = ast.parse(source, filename)
    text_functions, sqlalchemy_modules = _sqlalchemy_text_names(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        function, first = node.func, node.args[0]
        if ((isinstance(function, ast.Name) and function.id in text_functions)
                or (isinstance(function, ast.Attribute) and function.attr == "text"
                    and isinstance(function.value, ast.Name) and function.value.id in sqlalchemy_modules)):
            name, literal_only = "text", True
        elif isinstance(function, ast.Attribute) and function.attr in RAW_SQL_CALLS:
            name, literal_only = function.attr, True
        elif isinstance(function, ast.Attribute) and function.attr in EXECUTE_CALLS:
            name, literal_only = function.attr, False
        else:
            continue
        constant = isinstance(first, ast.Constant) and isinstance(first.value, str)
        if (literal_only and not constant) or _is_built_string(first):
            found.append(f"{filename}:{node.lineno}: {name}({ast.unparse(first)[:60]})")
    return sorted(found, key=lambda where: int(where.split(":")[1]))


def test_no_module_of_the_app_builds_sql_from_strings():
    found = []
    for path in sorted((BASE_DIR / "app").rglob("*.py")):
        found += string_built_sql(path.read_text(encoding="utf-8"), str(path.relative_to(BASE_DIR)))
    assert found == []


def test_the_check_finds_built_sql_and_lets_constants_and_statements_through():
    allowed = '''
import sqlalchemy as sa
from sqlalchemy import select, text
session.execute(text("SELECT 1 WHERE id = :id"), {"id": user_id})
session.execute(sa.text("SELECT pg_advisory_xact_lock(1)"))
connection.exec_driver_sql("PRAGMA integrity_check")
connection.exec_driver_sql("SELECT a "
                           "FROM b")
cursor.execute("PRAGMA foreign_keys=ON")
session.execute(select(User).where(User.name == name))
row.text("patient_region")
'''
    assert string_built_sql(allowed) == []
    built = '''
import sqlalchemy
from sqlalchemy import text as sql
session.execute(sql(f"SELECT * FROM users WHERE name = '{name}'"))
session.execute(sqlalchemy.text("SELECT * FROM " + table))
connection.exec_driver_sql("DELETE FROM %s" % table)
connection.exec_driver_sql(query)
cursor.execute("SELECT {}".format(column))
cursor.executescript(f"DROP TABLE {table}")
'''
    assert [line.split(": ", 1)[1].split("(")[0] for line in string_built_sql(built)] == [
        "text", "text", "exec_driver_sql", "exec_driver_sql", "execute", "executescript"]
