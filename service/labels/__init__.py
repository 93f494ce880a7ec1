"""Printable labels, pure rendering (no database): one QR symbol (``qr``), its mask choice
(``mask``), and A4 sheets as PDF (``sheet``)."""
