"""A sample app for the e2e suite: the product app plus one recording handler per event kind.

Imported only by the local stack's child processes (never by the test process, whose copy
of the product app must stay unchanged).
"""
