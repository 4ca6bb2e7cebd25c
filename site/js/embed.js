// Main thread. Entry of embed.html: the demo alone, sized for an iframe.
// embed.html: only the demo, configured by the same URL keys as the main page. It tells the page
// around it its height ({type: 'mesaflow-height', height} by postMessage), so that five lines of
// script there (index.html, "Embed") can size the iframe to its content.
import './element.js';
import { syncHash } from './element/url-sync.js';

syncHash(document.querySelector('mesaflow-demo'));

if (parent !== window) {
  let sent = 0;
  const post = () => {
    const height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height === sent) return;
    sent = height;
    parent.postMessage({ type: 'mesaflow-height', height }, '*');
  };
  new ResizeObserver(post).observe(document.body);
}
