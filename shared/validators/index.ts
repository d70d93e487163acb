export * from './enp.js';
export * from './phone.js';
export * from './result.js';
export * from './snils.js';
