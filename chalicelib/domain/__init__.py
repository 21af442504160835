"""Pure domain rules: no I/O, no environment, time comes from an injected Clock."""
