import { describe, expect, it } from 'vitest';
import { checkSender, externalHostsFor, isAllowedExternalUrl, isAppUrl, isPermissionAllowed, type FrameLike } from './origin.js';

const mainFrame: FrameLike = { url: 'app://oblako/index.html', processId: 4, routingId: 1, parent: null };

describe('our origin', () => {
  it.each(['app://oblako/', 'app://oblako/index.html', 'app://oblako/patients/12?x=1#y', 'app://oblako'])('%s is ours', (u) => {
    expect(isAppUrl(u)).toBe(true);
  });
  it.each(['app://evil/', 'app://oblako.evil/', 'app://user@oblako/', 'app://oblako:81/', 'https://oblako/', 'file:///index.html', 'oblako', ''])(
    '%s is not ours',
    (u) => {
      expect(isAppUrl(u)).toBe(false);
    },
  );
});

describe('IPC sender check', () => {
  it('accepts the main frame of our window at our origin', () => {
    expect(checkSender({ ...mainFrame, url: 'app://oblako/queue' }, mainFrame)).toEqual({ ok: true });
  });
  it('refuses a missing sender', () => {
    expect(checkSender(null, mainFrame).ok).toBe(false);
  });
  it('refuses a sub-frame, even at our origin', () => {
    expect(checkSender({ ...mainFrame, routingId: 7, parent: mainFrame }, mainFrame).ok).toBe(false);
  });
  it('refuses another frame that claims to be top-level', () => {
    expect(checkSender({ ...mainFrame, routingId: 9 }, mainFrame).ok).toBe(false);
    expect(checkSender({ ...mainFrame, processId: 5 }, mainFrame).ok).toBe(false);
  });
  it('refuses our frame after it was navigated elsewhere', () => {
    expect(checkSender({ ...mainFrame, url: 'https://evil.example/' }, mainFrame)).toEqual({ ok: false, reason: 'sender is not at our origin' });
  });
  it('refuses a detached frame', () => {
    expect(checkSender({ ...mainFrame, detached: true }, mainFrame).ok).toBe(false);
  });
});

describe('external links', () => {
  const hosts = externalHostsFor('https://oblako.example.ru', ['minzdrav.gov.ru']);

  it('allow-lists the central API host (https only) and the configured hosts', () => {
    expect(hosts.sort()).toEqual(['minzdrav.gov.ru', 'oblako.example.ru']);
    expect(externalHostsFor('http://127.0.0.1:8780', [])).toEqual([]);
  });
  it('opens https links to allow-listed hosts', () => {
    expect(isAllowedExternalUrl('https://minzdrav.gov.ru/documents/1', hosts)).toBe(true);
    expect(isAllowedExternalUrl('https://OBLAKO.example.ru/help', hosts)).toBe(true);
  });
  it.each([
    'http://minzdrav.gov.ru/',
    'https://evil.minzdrav.gov.ru/',
    'https://minzdrav.gov.ru.evil.example/',
    'https://user:pw@minzdrav.gov.ru/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'smb://minzdrav.gov.ru/share',
    'not a url',
  ])('refuses %s', (u) => {
    expect(isAllowedExternalUrl(u, hosts)).toBe(false);
  });
});

describe('permissions', () => {
  it('grants camera and microphone to our pages', () => {
    expect(isPermissionAllowed({ permission: 'media', requestingUrl: 'app://oblako/call/1', mediaTypes: ['audio', 'video'] })).toBe(true);
    expect(isPermissionAllowed({ permission: 'media', requestingUrl: 'app://oblako', mediaType: 'video' })).toBe(true);
    expect(isPermissionAllowed({ permission: 'media', requestingUrl: 'app://oblako/', mediaType: 'unknown' })).toBe(true);
  });
  it('grants screen sharing to our pages', () => {
    expect(isPermissionAllowed({ permission: 'display-capture', requestingUrl: 'app://oblako/call/1' })).toBe(true);
  });
  it('refuses devices to any other origin', () => {
    expect(isPermissionAllowed({ permission: 'media', requestingUrl: 'https://evil.example/', mediaTypes: ['video'] })).toBe(false);
    expect(isPermissionAllowed({ permission: 'display-capture', requestingUrl: 'https://oblako.example.ru/' })).toBe(false);
  });
  it.each(['geolocation', 'notifications', 'clipboard-read', 'midiSysex', 'openExternal', 'usb', 'serial', 'hid', 'fileSystem', 'unknown'])(
    'refuses %s even to our pages',
    (permission) => {
      expect(isPermissionAllowed({ permission, requestingUrl: 'app://oblako/' })).toBe(false);
    },
  );
});
