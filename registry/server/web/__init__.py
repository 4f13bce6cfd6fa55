"""The web pages of ``modelreg serve``: server-rendered HTML (Jinja2), no JavaScript.

- :mod:`.pages`: the routes (catalog, variant, organisation, releases, audit, login);
- :mod:`.auth`: session cookies, the rule of each page, CSRF-checked forms;
- :mod:`.render`: the Jinja2 environment and the pages' Content-Security-Policy;
- :mod:`.svg`: the lineage graph and the MAU chart, drawn on the server;
- :mod:`.markdown`: model cards as sanitised Markdown;
- :mod:`.errors`: errors as pages for a browser, JSON for the API.
"""
