"""Analytics: the worker's recorder, the rebuild job, and the reads behind the API."""
