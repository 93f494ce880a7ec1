"""The scanner client: frames (or a handheld reader's lines) in, checked cylinder reads out.

``capture`` opens sources (OpenCV I/O only), ``decode`` turns frames into payloads (pure),
``cli`` is the ``cylinder-scan`` command.
"""
