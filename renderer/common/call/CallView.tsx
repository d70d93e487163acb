import { Alert, Badge, Box, Button, Group, Paper, Stack, Text, Title, Tooltip } from '@mantine/core';
import { useEffect, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import type { ProbeFigures } from '../../../shared/call/precheck';
import { CallController, type CallHost, type CallSnapshot } from './call-controller';
import { tc } from './i18n';
import { PreCallCheck } from './PreCallCheck';

/**
 * The video call, one component for the desktop (the doctor) and the portal (the patient): the
 * pre-call check, then the call itself — the other side large, yourself small, the state in words,
 * the quality indicator, the controls, and the chat beside it (it works when media does not).
 */
export interface CallScreenProps {
  host: CallHost;
  probe: () => Promise<ProbeFigures>;
  /** The chat of the consultation's request, shown beside the call. */
  chat?: ReactNode;
  /** The call is over (the doctor ended it, or this side left). */
  onEnded: (by: CallSnapshot['endedBy']) => void;
  onCancel: () => void;
}

export function CallScreen({ host, probe, chat, onEnded, onCancel }: CallScreenProps) {
  const [controller, setController] = useState<CallController | null>(null);
  useEffect(() => () => controller?.dispose(), [controller]);
  if (!controller) {
    return (
      <PreCallCheck
        probe={probe}
        onCancel={onCancel}
        onJoin={(stream) => {
          const c = new CallController(host, stream);
          c.start();
          setController(c);
        }}
      />
    );
  }
  return <CallView controller={controller} chat={chat} onEnded={onEnded} />;
}

function useSnapshot(c: CallController): CallSnapshot {
  return useSyncExternalStore(
    (l) => c.subscribe(l),
    () => c.snapshot,
  );
}

function VideoTile({ stream, muted, testId, label }: { stream: MediaStream | null; muted: boolean; testId: string; label: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== stream) ref.current.srcObject = stream;
  }, [stream]);
  return <video ref={ref} autoPlay playsInline muted={muted} aria-label={label} data-testid={testId} style={{ width: '100%', height: '100%', objectFit: 'contain', background: '#111' }} />;
}

const kbps = (bps: number) => `${Math.round(bps / 1000)} кбит/с`;

function phaseText(s: CallSnapshot): string {
  switch (s.phase) {
    case 'lobby':
      return s.patient === 'waiting' ? tc('call.phase.lobby.waiting') : tc('call.phase.lobby.absent');
    case 'reconnecting':
      return s.peerPresent ? tc('call.phase.reconnecting') : tc('call.phase.peerLeft');
    case 'ended':
      return s.endedBy === 'self' ? tc('call.phase.left') : tc('call.phase.ended');
    default:
      return tc(`call.phase.${s.phase}`);
  }
}

export function CallView({ controller, chat, onEnded }: { controller: CallController; chat?: ReactNode; onEnded: CallScreenProps['onEnded'] }) {
  const s = useSnapshot(controller);
  const stage = useRef<HTMLDivElement>(null);
  const [full, setFull] = useState(false);
  const [shareError, setShareError] = useState<string | null>(null);
  const ended = s.phase === 'ended';

  useEffect(() => {
    if (ended) onEnded(s.endedBy);
  }, [ended, s.endedBy, onEnded]);
  useEffect(() => {
    const onChange = () => setFull(document.fullscreenElement === stage.current);
    document.addEventListener('fullscreenchange', onChange);
    return () => document.removeEventListener('fullscreenchange', onChange);
  }, []);

  const toggleFull = () => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void stage.current?.requestFullscreen().catch(() => undefined);
  };
  const share = () => {
    setShareError(null);
    if (s.sharing) controller.stopSharing();
    else controller.shareScreen().catch((e: unknown) => setShareError(tc('call.share.failed', { reason: e instanceof Error ? e.message : String(e) })));
  };

  const sample = s.sample;
  const quality = s.media === 'connected' && sample ? sample.quality : s.media === 'connected' ? 'fair' : 'none';
  const qualityColor = { good: 'teal', fair: 'yellow', poor: 'orange', none: 'red' }[quality];

  return (
    <Group align="stretch" gap="md" wrap="wrap" data-testid="call-view" data-phase={s.phase} data-role={s.role ?? ''} data-media={s.media} data-signalling={s.signalling}>
      <Stack gap="sm" style={{ flex: '3 1 420px', minWidth: 0 }}>
        <Group justify="space-between" wrap="wrap">
          <div>
            <Title order={2} size="h3">
              {tc('call.title')}
            </Title>
            {s.ticket && <Text c="dimmed">{tc('call.with', { name: s.ticket.peerName })}</Text>}
          </div>
          <Tooltip label={sample ? tc('call.quality.details', { inVideo: kbps(sample.inVideo.bps), frames: sample.inVideo.frames, outVideo: kbps(sample.outVideo.bps), rtt: sample.rttMs ?? 0 }) : tc(`call.quality.${quality}`)}>
            <Badge
              size="lg"
              color={qualityColor}
              variant="light"
              data-testid="call-quality"
              data-quality={quality}
              data-level={s.level}
              data-in-frames={sample?.inVideo.frames ?? 0}
              data-in-fps={Math.round(sample?.inVideo.fps ?? 0)}
              data-in-video-bps={Math.round(sample?.inVideo.bps ?? 0)}
              data-in-audio-bytes={sample?.inAudio.bytes ?? 0}
              data-in-audio-level={(sample?.inAudio.level ?? 0).toFixed(3)}
              data-out-video-bps={Math.round(sample?.outVideo.bps ?? 0)}
              data-out-width={sample?.outVideo.width ?? ''}
              data-available-bps={Math.round(sample?.link.availableBps ?? 0)}
              data-path={sample?.path.local ?? ''}
            >
              {tc(`call.quality.${quality}`)}
            </Badge>
          </Tooltip>
        </Group>
        <Text role="status" aria-live="polite" data-testid="call-status">
          {phaseText(s)}
        </Text>
        {s.error && (
          <Alert color="red" role="alert" data-testid="call-error" data-code={s.error.code}>
            {s.error.message}
          </Alert>
        )}
        {s.level === 'audio' && s.media === 'connected' && (
          <Alert color="yellow" data-testid="call-audio-only">
            {tc('call.self.audioOnly')}
          </Alert>
        )}
        <Box ref={stage} pos="relative" style={{ aspectRatio: '16 / 9', background: '#111', borderRadius: 8, overflow: 'hidden' }}>
          <VideoTile stream={s.remoteStream} muted={false} testId="call-remote-video" label={tc('call.with', { name: s.ticket?.peerName ?? '' })} />
          {(!s.remoteStream || s.peerAudioOnly) && (
            <Text pos="absolute" top="45%" w="100%" ta="center" c="gray.3" data-testid="call-remote-placeholder">
              {s.peerAudioOnly ? tc('call.remote.audioOnly') : tc('call.remote.none')}
            </Text>
          )}
          <Box pos="absolute" right={12} bottom={12} w="24%" style={{ aspectRatio: '16 / 9', border: '2px solid #fff', borderRadius: 6, overflow: 'hidden' }}>
            <VideoTile stream={controller.local} muted testId="call-local-video" label={tc('call.self')} />
            {!s.camOn && (
              <Badge pos="absolute" top={4} left={4} color="gray">
                {tc('call.camOffBadge')}
              </Badge>
            )}
          </Box>
        </Box>
        {shareError && (
          <Alert color="red" withCloseButton onClose={() => setShareError(null)}>
            {shareError}
          </Alert>
        )}
        <Group gap="xs" wrap="wrap" data-testid="call-controls">
          {s.role === 'doctor' && s.patient === 'waiting' && (
            <Button color="teal" onClick={() => controller.admit()} data-testid="call-admit">
              {tc('call.admit')}
            </Button>
          )}
          <Button variant={s.micOn ? 'default' : 'filled'} color={s.micOn ? undefined : 'red'} onClick={() => controller.setMic(!s.micOn)} aria-pressed={!s.micOn} data-testid="call-mic" data-on={s.micOn}>
            {s.micOn ? tc('call.mic.off') : tc('call.mic.on')}
          </Button>
          <Button variant={s.camOn ? 'default' : 'filled'} color={s.camOn ? undefined : 'red'} onClick={() => controller.setCamera(!s.camOn)} aria-pressed={!s.camOn} data-testid="call-cam" data-on={s.camOn}>
            {s.camOn ? tc('call.cam.off') : tc('call.cam.on')}
          </Button>
          {s.role === 'doctor' && (
            <Button variant="default" onClick={share} aria-pressed={s.sharing} data-testid="call-share" data-on={s.sharing}>
              {s.sharing ? tc('call.share.stop') : tc('call.share.start')}
            </Button>
          )}
          <Button variant="default" onClick={toggleFull} data-testid="call-fullscreen">
            {full ? tc('call.fullscreen.exit') : tc('call.fullscreen')}
          </Button>
          {s.role === 'doctor' ? (
            <Button color="red" onClick={() => controller.end()} data-testid="call-end">
              {tc('call.end')}
            </Button>
          ) : (
            <Button color="red" variant="light" onClick={() => controller.leave()} data-testid="call-leave">
              {tc('call.leave')}
            </Button>
          )}
        </Group>
      </Stack>
      {chat && (
        <Paper withBorder p="sm" style={{ flex: '1 1 280px', minWidth: 260, display: 'flex', flexDirection: 'column' }} data-testid="call-chat">
          <Title order={3} size="h5">
            {tc('call.chat.heading')}
          </Title>
          <Text size="xs" c="dimmed" mb="xs">
            {tc('call.chat.stillThere')}
          </Text>
          {chat}
        </Paper>
      )}
    </Group>
  );
}
