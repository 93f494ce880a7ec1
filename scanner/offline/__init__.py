"""The offline gate: when the service does not answer a fill check in time, the scanner decides
from its local copy with the service's own rules, and says on screen that it did.

``cache`` is the local copy (SQLite, replaced whole at each sync), ``gate`` decides from it
(``service.domain.gate.check_fill`` on snapshots made from the copy), ``verdict`` is the answer
as the station shows and records it, online or offline.
"""
