-- Valid areas pass as they are; invalid ones are repaired with ST_MakeValid (keeping only the
-- polygonal part); lines and points (zones) are widened by buffer_m metres.
UPDATE geo_staging s
   SET reason = v.reason,
       geom = CASE
         WHEN v.polygonal AND v.reason IS NULL THEN ST_Multi(s.src)
         WHEN v.polygonal THEN ST_Multi(ST_CollectionExtract(ST_MakeValid(s.src), 3))
         ELSE ST_Multi(gw_buffer_m(s.src, s.buffer_m))
       END
  FROM (SELECT ord,
               ST_Dimension(src) = 2 AS polygonal,
               CASE WHEN ST_IsValid(src) THEN NULL ELSE ST_IsValidReason(src) END AS reason
          FROM geo_staging) v
 WHERE v.ord = s.ord
