-- Evidence (证据, issue 9): photos that workers and officers upload and camera images that
-- arrive with device events. Files live under DATA_DIR/evidence/, each named by the SHA-256 of
-- its bytes: the original byte for byte, a display copy (EXIF stripped, watermark burnt in)
-- and a thumbnail. This table names all three by hash, so any of them can be checked again.
--
--   taken_at, lon, lat   what the original's EXIF said (DateTimeOriginal, GPS), kept here because
--                        the copies carry no EXIF
--   source               'upload' (a person, multipart) or 'camera' (an image with a device event)
CREATE TABLE evidence (
  sha256         text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  mime           text NOT NULL CHECK (mime IN ('image/jpeg', 'image/png', 'image/webp')),
  bytes          integer NOT NULL CHECK (bytes > 0),
  width          integer NOT NULL CHECK (width > 0),
  height         integer NOT NULL CHECK (height > 0),
  display_sha256 text NOT NULL CHECK (display_sha256 ~ '^[0-9a-f]{64}$'),
  thumb_sha256   text NOT NULL CHECK (thumb_sha256 ~ '^[0-9a-f]{64}$'),
  taken_at       timestamptz,
  lon            double precision CHECK (lon BETWEEN -180 AND 180),
  lat            double precision CHECK (lat BETWEEN -90 AND 90),
  source         text NOT NULL CHECK (source IN ('upload', 'camera')),
  created_at     timestamptz NOT NULL DEFAULT now()
);

-- Which clue each piece of evidence belongs to, who attached it and when. The same photo may
-- belong to two clues (a merged duplicate, a camera frame of two problems); it is stored once.
CREATE TABLE clue_evidence (
  clue_id   bigint NOT NULL REFERENCES clues (id),
  sha256    text NOT NULL REFERENCES evidence (sha256),
  -- A username, or device:<id> for a camera image.
  added_by  text NOT NULL,
  added_at  timestamptz NOT NULL DEFAULT now(),
  -- The file name the uploader gave (shown only; never used as a path).
  file_name text,
  PRIMARY KEY (clue_id, sha256)
);
CREATE INDEX clue_evidence_sha256 ON clue_evidence (sha256);

-- Camera images waiting to become evidence. The pipeline's clue transaction appends the alert
-- to the timeline with its stored image; this trigger queues that image in the same
-- transaction, so none is missed and the hot path does no image work. The evidence component
-- (server/evidence/camera-evidence.ts) makes the copies and attaches them, then deletes the
-- row; an image that cannot be decoded keeps its row with the problem.
CREATE TABLE evidence_pending (
  id          bigserial PRIMARY KEY,
  clue_id     bigint NOT NULL REFERENCES clues (id),
  timeline_id bigint NOT NULL,
  stored      text NOT NULL,
  sha256      text NOT NULL,
  device_id   text,
  taken_at    timestamptz NOT NULL,
  problem     text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX evidence_pending_todo ON evidence_pending (id) WHERE problem IS NULL;

CREATE FUNCTION queue_camera_evidence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO evidence_pending (clue_id, timeline_id, stored, sha256, device_id, taken_at)
  VALUES (NEW.clue_id, NEW.id, NEW.detail #>> '{alert,evidence,image,stored}', NEW.detail #>> '{alert,evidence,image,sha256}',
          CASE WHEN NEW.source LIKE 'device:%' THEN substr(NEW.source, 8) END,
          COALESCE((NEW.detail #>> '{alert,ts}')::timestamptz, NEW.at));
  RETURN NULL;
END $$;
CREATE TRIGGER clue_timeline_camera_evidence AFTER INSERT ON clue_timeline
  FOR EACH ROW WHEN (NEW.detail #>> '{alert,evidence,image,stored}' IS NOT NULL AND NEW.detail #>> '{alert,evidence,image,sha256}' IS NOT NULL)
  EXECUTE FUNCTION queue_camera_evidence();
