"""Capture and decoding: where reads come from.

``sources`` opens cameras, streams, files (OpenCV I/O only) and a handheld reader's lines;
``decode`` turns a ``frame.Frame`` into the texts of its QR codes (pure, measured);
``read_filter`` keeps the texts worth sending and counts a code in view once.
"""
