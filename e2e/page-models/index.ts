export { AppShell, type NavItem, type SyncState } from './app-shell.js';
export { DoctorQueue } from './doctor-queue.js';
export { ManagerHome, type StatusFilter } from './manager-home.js';
export { PatientRows } from './patient-rows.js';
export { PhysicianHome, type NewPatient } from './physician-home.js';
export { SignInPage, type Credentials, type SignInField } from './sign-in-page.js';
