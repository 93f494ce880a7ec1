"""The scanner client: frames (or a handheld reader's lines) in, checked cylinder reads out, and
the station workflows that post them to the service. Its parts, top to bottom (the import-linter
contract in ``pyproject.toml`` keeps imports flowing down):

``cli``       the ``cylinder-scan`` command: ``decode``, ``watch``, and the station commands
``station``   one run of ``station`` / ``dispatch`` / ``deliver`` / ``return``: the options, the
              wiring and read loop, what one read does (fill, custody), ``sync`` and ``queue``
``offline``   the offline gate: the local copy (cache), the gate that decides from it, the
              verdict as shown and recorded
``display``   what the filler sees and hears: one screen model, the terminal, the window, sound
``outbox``    events written ahead and sent exactly once: the queue, the sender, the HTTP client
``capture``   where reads come from: sources (OpenCV I/O, keyboard wedge), decoding (pure), and
              the filter that keeps reads worth sending
"""
