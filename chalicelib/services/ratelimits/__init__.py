"""API rate limits (issue 13): count a request against its caller's bucket."""
