import { ErrorBoundary, LocationProvider, Route, Router, lazy, useLocation } from 'preact-iso';
import { useEffect } from 'preact/hooks';
import { sessionUser } from '../session.js';
import { Header } from './header.js';
import { homePath } from './home.js';
import { LoginView } from './login-view.js';

/**
 * One URL per view and per clue, so links can be shared; each role's view is its own chunk
 * (`lazy`), so a grid worker's phone never loads the command centre's map.
 */
const CommandView = lazy(() => import('../command/command-view.js'));
const WorkerView = lazy(() => import('../worker/worker-view.js'));
const PlannerView = lazy(() => import('../planner/planner-view.js'));
const AdminView = lazy(() => import('../admin/admin-view.js'));

/** Replaces the URL with `to` (a redirect: no history entry). */
function Redirect({ to }: { to: string }) {
  const { route } = useLocation();
  useEffect(() => route(to, true), [to]);
  return null;
}

/** A view that needs a session: the login page when there is none. */
function Authed({ view: View, params }: { view: (p: { params: Record<string, string> }) => unknown; params?: Record<string, string> }) {
  if (!sessionUser()) return <Redirect to="/login" />;
  const V = View as (p: { params: Record<string, string> }) => preact.JSX.Element;
  return (
    <div class="app">
      <Header />
      <main class="view">
        <V params={params ?? {}} />
      </main>
    </div>
  );
}

/**
 * One component per view, shared by the view's routes: preact-iso keeps a view mounted while only
 * its params change, so opening and closing a clue keeps the map, the side panel's tab and the
 * keyboard focus in place (a new component per route would mount the whole view again).
 */
const CommandRoute = (p: { params: Record<string, string> }) => <Authed view={CommandView} params={p.params} />;
const WorkerRoute = (p: { params: Record<string, string> }) => <Authed view={WorkerView} params={p.params} />;

/** The route table. */
export function App() {
  return (
    <LocationProvider>
      <ErrorBoundary>
        <Router>
          <Route path="/login" component={LoginView} />
          <Route path="/command" component={CommandRoute} />
          <Route path="/command/clue/:code" component={CommandRoute} />
          <Route path="/worker" component={WorkerRoute} />
          <Route path="/worker/task/:code" component={WorkerRoute} />
          <Route path="/planner" component={(p: { params: Record<string, string> }) => <Authed view={PlannerView} params={p.params} />} />
          <Route path="/planner/:tab" component={(p: { params: Record<string, string> }) => <Authed view={PlannerView} params={p.params} />} />
          <Route path="/admin" component={(p: { params: Record<string, string> }) => <Authed view={AdminView} params={p.params} />} />
          <Route path="/admin/:tab" component={(p: { params: Record<string, string> }) => <Authed view={AdminView} params={p.params} />} />
          <Route default component={() => <Redirect to={homePath()} />} />
        </Router>
      </ErrorBoundary>
    </LocationProvider>
  );
}
