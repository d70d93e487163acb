import { createTheme, mergeThemeOverrides, PasswordInput } from '@mantine/core';
import { theme } from '../common/theme';

/**
 * The shared theme, plus what a phone needs: the show/hide-password button is a real touch target
 * (44 px, WCAG 2.5.5) and reachable with Tab (Mantine skips it by default).
 */
export const portalTheme = mergeThemeOverrides(
  theme,
  createTheme({
    components: {
      PasswordInput: PasswordInput.extend({
        defaultProps: { visibilityToggleFocusable: true, rightSectionWidth: 52 },
        styles: { visibilityToggle: { width: 44, height: 44, minWidth: 44, minHeight: 44 } },
      }),
    },
  }),
);
