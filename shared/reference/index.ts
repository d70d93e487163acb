export * from './centres.js';
export * from './icd10.js';
export * from './regions.js';
