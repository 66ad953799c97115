import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { request } from './api.js';
import './view-kit.css';

/*
 * Small pieces the planner and admin views share: date ranges as the API takes them, a
 * fetch hook that drops stale answers, and download links for exports made in the browser.
 */

/** Today and 30 days ago as `YYYY-MM-DD`, the planners' usual window. */
export function defaultRange(days = 30): { from: string; to: string } {
  // The calendar day in China (UTC+8), whatever the browser's time zone.
  const to = new Date(Date.now() + 8 * 3_600_000);
  const from = new Date(to.getTime() - days * 86_400_000);
  return { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) };
}

/** `YYYY-MM-DD` (a date input's value) as the start of that day in China (UTC+8), ISO. */
export function dayStart(d: string): string {
  return new Date(`${d}T00:00:00+08:00`).toISOString();
}

/** `YYYY-MM-DD` as the end of that day in China: the API's ranges are [from, to), and a planner's "to" day is included. */
export function dayEnd(d: string): string {
  return new Date(new Date(`${d}T00:00:00+08:00`).getTime() + 86_400_000).toISOString();
}

/** Loads `path` whenever it changes; answers the data, the error message and a loading flag. */
export function useFetch<T>(path: string | null, reload = 0): { data: T | null; error: string | null; loading: boolean } {
  const [state, setState] = useState<{ data: T | null; error: string | null; loading: boolean }>({ data: null, error: null, loading: false });
  const seq = useRef(0);
  useEffect(() => {
    if (!path) return;
    const n = ++seq.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    request<T>(path).then(
      (data) => n === seq.current && setState({ data, error: null, loading: false }),
      (e: Error) => n === seq.current && setState({ data: null, error: e.message, loading: false }),
    );
  }, [path, reload]);
  return state;
}

/** A download link for text made on demand (CSV or GeoJSON), its object URL revoked when replaced. */
export function ExportLink({ make, type, name, label }: { make: () => string; type: string; name: string; label: string }) {
  const url = useMemo(() => URL.createObjectURL(new Blob([make()], { type })), [make, type]);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  return (
    <a class="export-link" href={url} download={name}>
      {label}
    </a>
  );
}
