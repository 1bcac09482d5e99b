"""File imports, all of one shape (:mod:`.base`): events (:mod:`.events`), alarm exports
(:mod:`.alarms`) and OCDS releases (:mod:`.ocds`).

Importers read, submit, tally and audit; they print nothing. The command line renders
their :class:`~alliance.importers.base.Summary`.
"""
