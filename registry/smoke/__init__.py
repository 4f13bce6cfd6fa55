"""Smoke tests of registered checkpoints: load, check the logits, generate, record.

``runner`` does one run (torch and transformers imported inside it, never at module
level); ``records`` resolves variants to checkpoint directories, records runs in the
catalog and judges drift; ``files``, ``memory``, ``fingerprint`` and ``environment`` are
the small pieces they share.
"""
