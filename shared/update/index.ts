export * from './release.js';
export * from './signing.js';
