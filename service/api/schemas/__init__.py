"""Request and response bodies (not the table models), one module per router, plus the bits
several share: ``strict`` (the base of every request body), ``page``, ``events``, ``findings``.

Requests are strict: an unknown field is a 422 naming it, every string has a maximum length
(200 unless the field says otherwise). Responses are built from the use cases' views
(``service.api.responses.read_model``).
"""
