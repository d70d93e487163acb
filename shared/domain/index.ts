export * from './errors.js';
export * from './ids.js';
export * from './patients.js';
export * from './requests.js';
export * from './roles.js';
export * from './users.js';
export * from './referrals.js';
export * from './documents.js';
