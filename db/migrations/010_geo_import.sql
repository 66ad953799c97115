-- Geo import support.
--
-- Area in square metres of a lon/lat geometry, taken in the plane the geometry is defined in
-- (straight edges in lon/lat, as GeoJSON, PostGIS geometry and the locator all treat them),
-- scaled by the local metres per degree at the middle of its bounding box. Geography areas
-- would bend long straight edges into great circles, so two exactly-shared borders digitised
-- with different vertex counts would show phantom slivers of tens of m² where there are none.
-- Within a city the scale error is well under 1 %: good for tolerances and reports.
CREATE FUNCTION gw_area_m2(g geometry) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN g IS NULL OR ST_IsEmpty(g) THEN 0
    ELSE ST_Area(g) * 111320.0 * 110574.0 * cos(radians((ST_YMin(g) + ST_YMax(g)) / 2)) END
$$;

-- Buffers a lon/lat geometry by metres in the same local plane (no PROJ needed, so the
-- embedded PGlite and a real PostGIS give the same polygon): route corridors and bridges
-- arrive as lines with a width.
CREATE FUNCTION gw_buffer_m(g geometry, metres double precision) RETURNS geometry
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ST_Scale(
    ST_Buffer(ST_Scale(g, 111320.0 * cos(radians((ST_YMin(g) + ST_YMax(g)) / 2)), 110574.0), metres),
    1 / (111320.0 * cos(radians((ST_YMin(g) + ST_YMax(g)) / 2))), 1 / 110574.0)
$$;
