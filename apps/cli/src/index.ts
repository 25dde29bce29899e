export { main, reportError } from './cli.js';
export { Output } from './output.js';
