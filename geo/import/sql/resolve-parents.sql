-- $1: the parent layer. For each feature: does its declared parent exist in the active parent
-- import, and which active parent contains its point-on-surface (lowest code on a tie).
UPDATE geo_staging s
   SET declared_known = CASE WHEN s.parent_code IS NULL THEN NULL ELSE EXISTS (
         SELECT 1 FROM jurisdictions p JOIN geo_imports i ON i.id = p.import_id AND i.active AND i.layer = $1
          WHERE p.code = s.parent_code) END,
       spatial_parent = (
         SELECT p.code FROM jurisdictions p JOIN geo_imports i ON i.id = p.import_id AND i.active AND i.layer = $1
          WHERE p.geom && s.pos AND ST_Covers(p.geom, s.pos)
          ORDER BY p.code LIMIT 1)
 WHERE NOT s.rejected
RETURNING s.ord, s.code, s.parent_code, s.declared_known, s.spatial_parent
