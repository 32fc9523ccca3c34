"""The command layer: one module a command, each returning one
:class:`~koshtorys.commands.outcome.Outcome`.

The command line, the ribbon buttons and the demo call these functions and nothing
deeper. A command takes a :class:`~koshtorys.core.book.Book` (the file, or the workbook
open in Excel) or a folder, does its work through the engine and the document
builders, and says what happened in the book's language::

    new.new · refresh.refresh · refresh.check · import_actuals.import_actuals ·
    request.request · send.send · consolidate.consolidate_folder · addin.addin ·
    demo.demo

Each is imported from its own module (``from koshtorys.commands.refresh import check``),
so a command loads only what it uses.
"""
