import { app, desktopCapturer, session, shell, type Session, type WebContents } from 'electron';
import { createLogger } from '../services/logger.js';
import { isAllowedExternalUrl, isPermissionAllowed } from './origin.js';

const log = createLogger('electron.security');

/**
 * The renderer never navigates: it is one page at `app://oblako/` with client-side routes.
 * Links out go to the system browser, and only to allow-listed https hosts.
 */
function openExternally(url: string, allowedHosts: () => readonly string[]): void {
  if (!isAllowedExternalUrl(url, allowedHosts())) {
    log.warn({ url }, 'refused to open a link that is not allow-listed');
    return;
  }
  shell.openExternal(url).catch((err: unknown) => log.warn({ err, url }, 'opening a link in the system browser failed'));
}

function guardContents(contents: WebContents, allowedHosts: () => readonly string[]): void {
  contents.on('will-navigate', (event) => {
    event.preventDefault();
    log.warn({ url: event.url }, 'navigation blocked');
    openExternally(event.url, allowedHosts);
  });
  contents.on('will-frame-navigate', (event) => {
    if (event.isMainFrame) return; // the main frame is handled by will-navigate above
    event.preventDefault();
    log.warn({ url: event.url }, 'sub-frame navigation blocked');
  });
  contents.on('will-redirect', (event) => {
    event.preventDefault();
    log.warn({ url: event.url }, 'redirect blocked');
  });
  contents.setWindowOpenHandler(({ url }) => {
    openExternally(url, allowedHosts);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log.warn('webview blocked');
  });
}

function guardSession(ses: Session): void {
  ses.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? details.mediaTypes : undefined;
    const allowed = isPermissionAllowed({ permission, requestingUrl: details.requestingUrl, mediaTypes });
    if (!allowed) log.warn({ permission, url: details.requestingUrl }, 'permission request denied');
    callback(allowed);
  });
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    isPermissionAllowed({ permission, requestingUrl: details.requestingUrl ?? requestingOrigin, mediaType: details.mediaType }),
  );
  // getDisplayMedia (screen sharing in a consultation): the system picker where the OS has one
  // (macOS, the Wayland portal); otherwise the whole primary screen. A picker of windows in our UI
  // is a later feature.
  ses.setDisplayMediaRequestHandler(
    (request, callback) => {
      const url = request.frame?.url ?? request.securityOrigin;
      if (!isPermissionAllowed({ permission: 'display-capture', requestingUrl: url })) {
        log.warn({ url }, 'screen capture denied');
        callback({});
        return;
      }
      desktopCapturer
        .getSources({ types: ['screen'] })
        .then((sources) => callback(sources[0] ? { video: sources[0] } : {}))
        .catch((err: unknown) => {
          log.error({ err }, 'listing screens failed');
          callback({});
        });
    },
    { useSystemPicker: true },
  );
}

/**
 * Installs every guard. Call once, before `ready` (so no WebContents is created unguarded);
 * the session handlers are set when the app is ready.
 */
export function installSecurityGuards(allowedExternalHosts: () => readonly string[]): void {
  app.on('web-contents-created', (_event, contents) => {
    guardContents(contents, allowedExternalHosts);
  });
  void app.whenReady().then(() => guardSession(session.defaultSession));
}
