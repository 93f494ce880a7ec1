"""The outbox: every event is saved on the scanner before it is sent, then sent until the
service has it, exactly once.

``queue`` is the SQLite outbox (written ahead, durable), ``sender`` sends it oldest first with
backoff (and ``Uploader`` does so in a background thread), ``client`` is the HTTP client for the
service (httpx, transport injectable), which also serves the fill check and the sync.
"""
