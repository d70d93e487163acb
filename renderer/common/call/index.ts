export { CallScreen, CallView, type CallScreenProps } from './CallView';
export { CallController, type CallHost, type CallSnapshot } from './call-controller';
export { probeOverHttp } from './devices';
export { tc } from './i18n';
