"""The display: what the filler sees and hears.

``screen`` is the one screen model (``Screen``, ``Line``, ``Tone``) that everything below draws
or plays; ``view`` chooses how to show it (``choose_view``: the ``window`` where one can open,
else the ``terminal``); ``sound`` beeps ALLOW and REFUSE apart. Nothing here knows the service,
the outbox or the gate: the station decides what to say.
"""
