"""The archive deposit (arkivuttrekk, Noark 5 v5.0): the case core's cases, journal, documents and change log
of a period as Arkivverket's XML files with an ADDML 8.3 description (extraction.py, deposit.py), from
`flask archive` (commands.py) and the admin's archive page as a background job (views.py, jobs.py); and the
public journal (offentleglova) with its CSV and offentligJournal.xml exports and the access request form
(public_views.py, lists.py, forms.py), whose rules are the case core's (app/cases/public_journal.py).

It reads the case core through app.cases.interface and knows no domain module: a case's module is its kind's.
"""
from app.core.roles import Role
from app.modules import Module, NavItem

MODULE = Module(
    blueprints=("app.archive.views:bp", "app.archive.public_views:bp"),
    cli=("app.archive.commands:archive",),
    demo="app.archive.demo_data:load_archive_demo",
    nav=(NavItem("Arkiv", "archive.index", roles=frozenset({Role.ADMIN}), current="archive."),),
)
