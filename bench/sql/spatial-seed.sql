-- Seeds random() for the event generator that follows on this connection.
SELECT setseed($1::float8)
