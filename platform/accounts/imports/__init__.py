"""Staff and units from spreadsheets: a dry run row by row, then the same sheet applied.

``sheets`` reads and writes the workbooks and reports problems by row and column; ``staff`` and
``departments`` say what one row means and apply it through ``accounts.services``. See
docs/accounts.md.
"""
