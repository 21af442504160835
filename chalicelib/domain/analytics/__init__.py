"""Analytics: booked versus used time, from counters the event pipeline keeps."""
