-- Registration metadata of the devices in a batch ($1: device ids).
SELECT id, metadata FROM devices WHERE id = ANY ($1::text[])
