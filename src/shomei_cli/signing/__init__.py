"""The chamber's signature on issued documents: its keys and certificates (``pki``, ``keystore``) and PAdES
signing with pyHanko (``pades``, ``issued``). Verification needs none of this: see ``documents.verify``."""
