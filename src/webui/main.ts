/**
 * The dashboard's entry. It starts the live stream before anything else loads: the
 * snapshot of 10,000 tasks (megabytes) then travels and is parsed while the browser
 * fetches the shell's modules (app.js and what it imports), instead of after them. On the
 * shared 2-core bench machine, fetching the modules took 300–1,100 ms of a first render
 * (docs/dashboard.md), so the two no longer add up.
 */
import { adoptToken, follow } from './api.js';
import { applyEvent, setStatus } from './model.js';

adoptToken();
void follow(applyEvent, setStatus, new AbortController().signal);
import('./app.js')
  .then((app) => {
    app.boot();
  })
  .catch((err: unknown) => {
    document.body.append(`The dashboard failed to load: ${String(err)}`);
  });
