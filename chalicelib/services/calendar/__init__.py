"""Calendar feeds (issue 12): per-user and per-resource .ics feeds, exports, links."""
