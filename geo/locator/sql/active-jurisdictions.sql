-- Districts, towns and communities of their layers' active imports (codes and parent links only).
SELECT j.level, j.code, j.name, j.parent_code
  FROM jurisdictions j
  JOIN geo_imports i ON i.id = j.import_id
 WHERE i.active AND i.layer IN ('districts', 'towns', 'communities')
