import { Button, Modal, Stack, Text } from '@mantine/core';
import { tp } from '../i18n';
import { readableColours, wrapButton } from './care-ui';

/** The video call comes in a later issue; until then the button says plainly what will happen. */
export function CallPlaceholder({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={tp('care.call.heading')}
      centered
      size="md"
      closeButtonProps={{ 'aria-label': tp('care.close'), size: 'xl' }}
      styles={{ content: readableColours }}
      data-testid="care-call-dialog"
    >
      <Stack gap="lg">
        <Text size="lg" data-testid="care-call-text">
          {tp('care.call.body')}
        </Text>
        <Button styles={wrapButton} color="blue.8" size="lg" onClick={onClose} data-testid="care-call-ok">
          {tp('care.call.ok')}
        </Button>
      </Stack>
    </Modal>
  );
}
