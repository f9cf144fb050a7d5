"""The Slack surface: the Bolt app, its listeners (thin: parse, ack, then work lazily), the
thread presenter and Block Kit rendering."""
