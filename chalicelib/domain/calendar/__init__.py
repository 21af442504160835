"""Calendar feeds (issue 12): what a subscribed calendar shows of reservations, pure rules."""
