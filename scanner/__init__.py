"""The scanner client: frames (or a handheld reader's lines) in, checked cylinder reads out, and
the station workflows that post them to the service.

``capture`` opens sources (OpenCV I/O only), ``decode`` turns frames into payloads (pure),
``cli`` and ``station_cli`` are the ``cylinder-scan`` command. The workflows: ``station`` (what
one read does), ``session`` (one run, wired), ``client`` (httpx, transport injectable),
``queue`` (the SQLite outbox, written before sending) and ``sender`` (retries with backoff),
``cache`` and ``offline`` (the local copy and the offline fill gate), ``verdict``, ``ui``,
``window`` and ``sound`` (what the filler sees and hears), ``weight`` (the net weight).
"""
