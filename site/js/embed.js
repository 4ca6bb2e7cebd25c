// embed.html: only the demo, configured by the same URL keys as the main page.
import './element.js';
import { syncHash } from './urlsync.js';

syncHash(document.querySelector('mesaflow-demo'));
