-- Enforcement-item catalogue (执法事项清单) and units (issue 5).
--
-- The catalogue is kept as its full version history: each row is one version exactly as
-- imported and validated (`catalogueVersionSchema` in server/catalogue/model.ts), a change on
-- the version before it: items added or changed, items withdrawn, empowerment granted (赋权)
-- and taken back (收回). The service folds all rows, in version order, with
-- `compileCatalogue` into one snapshot per version, and routes each alert with the version in
-- force at the alert's time (`catalogueAt`), so a clue opened under v1 keeps v1's answer.
--
-- Columns:
--   version        version number; strictly increasing with effective_from
--   effective_from local (Asia/Shanghai) date from whose midnight the version is in force
--   note_zh/en     the change note (调整说明)
--   data           the version as `catalogueVersionSchema` reads it:
--                  {version, effectiveFrom, note: {zh, en}, items: CatalogueItem[],
--                   withdrawn: string[], grants: {townCode, itemCodes[]}[], revocations: […]}
--   source         how it came in: 'json', 'csv' or 'demo'
--   imported_by    username of the administrator (null for the demo seed)
--   imported_at    when it was stored
CREATE TABLE catalogue_versions (
  version        integer PRIMARY KEY CHECK (version > 0),
  effective_from date NOT NULL UNIQUE,
  note_zh        text NOT NULL,
  note_en        text NOT NULL,
  data           jsonb NOT NULL,
  source         text NOT NULL CHECK (source IN ('json', 'csv', 'demo')),
  imported_by    text,
  imported_at    timestamptz NOT NULL DEFAULT now()
);

-- A version is history: clues cite it in their reasons. Corrections are a new version.
CREATE FUNCTION forbid_catalogue_version_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'catalogue_versions are history: % refused; import a new version instead', TG_OP;
END;
$$;
CREATE TRIGGER catalogue_versions_immutable BEFORE UPDATE OR DELETE ON catalogue_versions
  FOR EACH ROW EXECUTE FUNCTION forbid_catalogue_version_change();

-- Units (处置单位) carry every field of `unitSchema` (server/catalogue/model.ts). Besides the
-- 001 columns (id, kind, name = Chinese name, name_en, district_code, town_code for town teams
-- and hubs, department for district departments):
--   linked_town_codes     hub (1+X 片区): the small towns its command platform also watches
--   asset_codes           custodian (管养单位): assets it maintains, e.g. bridge codes
--   service               utility: what it supplies ('gas')
--   served_district_codes utility: the districts it serves
--   retired_at            set when an import replaced the unit list without it; retired units
--                         stay (clues, users and timelines refer to them) but route nothing
--   updated_at            last import that touched the row
ALTER TABLE units
  ADD COLUMN linked_town_codes text[] NOT NULL DEFAULT '{}',
  ADD COLUMN asset_codes text[] NOT NULL DEFAULT '{}',
  ADD COLUMN service text,
  ADD COLUMN served_district_codes text[] NOT NULL DEFAULT '{}',
  ADD COLUMN retired_at timestamptz,
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX units_kind ON units (kind) WHERE retired_at IS NULL;
