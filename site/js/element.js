// Main thread. The package's entry (js/element.js, the URL the README's embedding snippet loads):
// importing it defines <mesaflow-demo> (element/mesaflow-demo.js).
import './element/mesaflow-demo.js';
