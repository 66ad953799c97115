/** The web app's entry: the router, with every role's view loaded on demand. */
import './style.css';
import { render } from 'preact';
import { onSessionEnd } from './api.js';
import { App } from './app/routes.js';
import { live } from './app/live.js';

// An expired or revoked token: drop the socket and start again from the login page.
onSessionEnd(() => {
  live.stop();
  location.assign('/login');
});

render(<App />, document.getElementById('root')!);
