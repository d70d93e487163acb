import { AppError } from '../errors.js';
import type { Handlers } from './route.js';

type PortalRoute =
  | 'registerStart'
  | 'registerConfirm'
  | 'resetStart'
  | 'resetConfirm'
  | 'consentText'
  | 'myConsent'
  | 'giveConsent'
  | 'startUpload'
  | 'getUpload'
  | 'uploadChunk'
  | 'completeUpload'
  | 'createApplication'
  | 'listDutySlots'
  | 'createDutySlots'
  | 'bookDutySlot'
  | 'listMessages'
  | 'sendMessage'
  | 'markMessagesRead';

const notBuilt = async (): Promise<never> => {
  throw new AppError('INTERNAL', 'not built yet');
};

// TEMPORARY SCAFFOLD (being implemented by a helper): the patient portal's routes.
export const portalHandlers: Pick<Handlers, PortalRoute> = {
  registerStart: notBuilt,
  registerConfirm: notBuilt,
  resetStart: notBuilt,
  resetConfirm: notBuilt,
  consentText: notBuilt,
  myConsent: notBuilt,
  giveConsent: notBuilt,
  startUpload: notBuilt,
  getUpload: notBuilt,
  uploadChunk: notBuilt,
  completeUpload: notBuilt,
  createApplication: notBuilt,
  listDutySlots: notBuilt,
  createDutySlots: notBuilt,
  bookDutySlot: notBuilt,
  listMessages: notBuilt,
  sendMessage: notBuilt,
  markMessagesRead: notBuilt,
};
