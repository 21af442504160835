"""An app module that cannot be imported: the stack must report it and stop the rest."""

raise ImportError("sample_app.broken fails on purpose")
