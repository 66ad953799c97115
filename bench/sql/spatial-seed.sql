-- Seeds random() for the generators that follow on this connection.
SELECT setseed($1::float8)
