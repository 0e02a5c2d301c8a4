"""Small helpers for single notebooks: one module per notebook (``nb01.py``, ...)."""
