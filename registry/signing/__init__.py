"""OpenSSF model signing (sigstore's ``model_signing`` format), read and written natively.

A signature is a Sigstore bundle (``bundle.py``) wrapping a DSSE envelope whose payload is an
in-toto statement listing every file of the model with its digest (``statement.py``). The
envelope is signed with an EC key, a certificate, or a Sigstore keyless certificate
(``keys.py``, ``keyless.py``). ``verify.py`` checks a bundle against the catalog and the files
on disk and records the result (``records.py``); ``sign.py`` writes a bundle from the
catalog's SHA-256 digests. Only ``cryptography`` is needed: ``model_signing`` itself (and
sigstore-python, which it imports) is a test-only dependency, used to prove interoperability.
"""
