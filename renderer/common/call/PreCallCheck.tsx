import { Alert, Button, Group, Loader, Paper, Progress, Select, Stack, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import { formatBps, verdictOf, type ProbeFigures } from '../../../shared/call/precheck';
import { deviceProblem, levelMeter, listDevices, openMedia, type DeviceChoice, type DeviceLists, type DeviceProblem } from './devices';
import { tc } from './i18n';

const NO_CAMERA = 'none';

/**
 * Before joining: pick the camera and microphone, see yourself, watch the microphone meter move,
 * and get a rough verdict on the link with advice in words. Joining hands the working stream on
 * (the same one, so the devices are not opened twice).
 */
export function PreCallCheck({ probe, onJoin, onCancel }: { probe: () => Promise<ProbeFigures>; onJoin: (stream: MediaStream) => void; onCancel: () => void }) {
  const [devices, setDevices] = useState<DeviceLists>({ cameras: [], mics: [] });
  const [choice, setChoice] = useState<DeviceChoice>({ cameraId: null, micId: null });
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [problem, setProblem] = useState<DeviceProblem | null>(null);
  const [level, setLevel] = useState(0);
  const [link, setLink] = useState<{ state: 'measuring' } | { state: 'done'; figures: ProbeFigures } | { state: 'failed' }>({ state: 'measuring' });
  const [attempt, setAttempt] = useState(0);
  const video = useRef<HTMLVideoElement>(null);
  const handedOn = useRef<MediaStream | null>(null);

  // Devices: (re)open the stream for the current choice.
  useEffect(() => {
    let cancelled = false;
    let opened: MediaStream | null = null;
    setProblem(null);
    openMedia(choice, choice.cameraId !== NO_CAMERA)
      .then(async (s) => {
        if (cancelled) return s.getTracks().forEach((t) => t.stop());
        opened = s;
        setStream(s);
        setDevices(await listDevices());
      })
      .catch((err: unknown) => {
        if (!cancelled) {
          setStream(null);
          setProblem(deviceProblem(err));
        }
      });
    return () => {
      cancelled = true;
      if (opened && opened !== handedOn.current) opened.getTracks().forEach((t) => t.stop());
    };
  }, [choice, attempt]);

  useEffect(() => {
    if (video.current) video.current.srcObject = stream;
    if (!stream) return;
    const meter = levelMeter(stream);
    const timer = setInterval(() => setLevel(meter.level()), 150);
    return () => {
      clearInterval(timer);
      meter.stop();
    };
  }, [stream]);

  const measure = useCallback(() => {
    setLink({ state: 'measuring' });
    probe()
      .then((figures) => setLink({ state: 'done', figures }))
      .catch(() => setLink({ state: 'failed' }));
  }, [probe]);
  useEffect(measure, [measure, attempt]);

  const verdict = link.state === 'done' ? verdictOf(link.figures) : null;
  const join = () => {
    if (!stream) return;
    handedOn.current = stream;
    onJoin(stream);
  };

  return (
    <Paper withBorder p="md" data-testid="call-check">
      <Stack gap="md">
        <div>
          <Title order={2} size="h3">
            {tc('call.check.heading')}
          </Title>
          <Text c="dimmed">{tc('call.check.lead')}</Text>
        </div>
        <video ref={video} autoPlay playsInline muted style={{ width: '100%', maxWidth: 480, background: '#222', borderRadius: 8, aspectRatio: '16 / 9' }} data-testid="call-check-preview" />
        {problem && (
          <Alert color="red" role="alert" data-testid="call-check-problem" data-problem={problem}>
            {tc(`call.device.${problem}`)}
          </Alert>
        )}
        <Group grow align="flex-start">
          <Select
            label={tc('call.check.camera')}
            data={[...devices.cameras.map((d, i) => ({ value: d.deviceId || `cam-${i}`, label: d.label || `${tc('call.check.camera')} ${i + 1}` })), { value: NO_CAMERA, label: tc('call.check.noCamera') }]}
            value={choice.cameraId ?? devices.cameras[0]?.deviceId ?? null}
            onChange={(v) => setChoice((c) => ({ ...c, cameraId: v }))}
            allowDeselect={false}
            data-testid="call-check-camera"
          />
          <Select
            label={tc('call.check.mic')}
            data={devices.mics.map((d, i) => ({ value: d.deviceId || `mic-${i}`, label: d.label || `${tc('call.check.mic')} ${i + 1}` }))}
            value={choice.micId ?? devices.mics[0]?.deviceId ?? null}
            onChange={(v) => setChoice((c) => ({ ...c, micId: v }))}
            allowDeselect={false}
            data-testid="call-check-mic"
          />
        </Group>
        <div>
          <Text size="sm" fw={500}>
            {tc('call.check.micLevel')}
          </Text>
          <Progress value={Math.round(level * 100)} aria-label={tc('call.check.micLevel')} data-testid="call-check-level" data-level={level.toFixed(2)} transitionDuration={100} />
          <Text size="xs" c="dimmed">
            {tc('call.check.micHint')}
          </Text>
        </div>
        <div data-testid="call-check-link" data-state={link.state} data-verdict={verdict ?? ''}>
          <Text size="sm" fw={500}>
            {tc('call.check.link')}
          </Text>
          {link.state === 'measuring' && (
            <Group gap="xs">
              <Loader size="xs" />
              <Text size="sm">{tc('call.check.measuring')}</Text>
            </Group>
          )}
          {link.state === 'done' && verdict && (
            <>
              <Text size="sm">{tc('call.check.figures', { down: formatBps(link.figures.downBps), up: formatBps(link.figures.upBps), rtt: link.figures.rttMs })}</Text>
              <Alert mt="xs" color={verdict === 'video' ? 'teal' : verdict === 'audio' ? 'yellow' : 'red'} data-testid="call-check-verdict">
                {tc(`call.check.verdict.${verdict}`)}
              </Alert>
            </>
          )}
          {link.state === 'failed' && <Text size="sm">{tc('call.check.linkFailed')}</Text>}
        </div>
        <Group>
          <Button onClick={join} disabled={!stream} data-testid="call-join">
            {tc('call.check.join')}
          </Button>
          <Button variant="default" onClick={() => setAttempt((a) => a + 1)} data-testid="call-check-retry">
            {tc('call.check.retry')}
          </Button>
          <Button variant="subtle" onClick={onCancel} data-testid="call-check-cancel">
            {tc('call.check.cancel')}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
