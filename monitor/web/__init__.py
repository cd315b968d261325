"""The web console: stories, articles, feeds, digests and topics as pages, and feedback.

Served by ``newsmon run`` on the control endpoint's address and port (an ASGI app run by
uvicorn in the daemon's event loop); :mod:`.app` builds it, :mod:`.server` serves it,
:mod:`.access` decides who may use it, :mod:`.pages` holds one module per page.
"""
