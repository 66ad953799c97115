-- One instruction by id ($1) with its clue's code and its area as GeoJSON.
SELECT i.id, i.issued_by, i.issued_at, i.target_unit_id, i.subject_kind, c.code AS clue_code, i.jurisdiction_code,
       ST_AsGeoJSON(i.area, 7)::json AS area, i.place_codes, i.title, i.body, i.due_at, i.status,
       i.acknowledged_at, i.acknowledged_by, i.answered_at, i.answered_by, i.answer, i.deadline_plan, i.deadline_done
  FROM instructions AS i
  LEFT JOIN clues AS c ON c.id = i.clue_id
 WHERE i.id = $1
