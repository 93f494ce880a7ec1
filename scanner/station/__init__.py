"""The station: one run of ``cylinder-scan station | dispatch | deliver | return``.

``options`` is what the run is asked to do (``StationOptions``, shared by the four commands,
and the ``Mode``); ``run`` wires the parts and feeds each new read to the mode's station:
``fill`` (the gate, the verdict, the net weight from ``weight``, the fill) or ``custody`` (one
custody event). ``recorder`` writes each event ahead to the outbox and shows its answer;
``screens`` is everything the station says. ``sync`` is ``cylinder-scan sync``; ``commands``
registers all of them on the command line.
"""
