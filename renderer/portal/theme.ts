import { Alert, createTheme, mergeThemeOverrides, PasswordInput, type CSSVariablesResolver } from '@mantine/core';
import { theme } from '../common/theme';

/**
 * The shared theme, plus what a phone needs: the show/hide-password button is a real touch target
 * (44 px, WCAG 2.5.5) and reachable with Tab (Mantine skips it by default).
 */
export const portalTheme = mergeThemeOverrides(
  theme,
  createTheme({
    // White on the default blue.6 is 3.6:1, under WCAG AA's 4.5:1 for the portal's text buttons;
    // blue.8 reads for elderly patients on a phone in daylight.
    primaryShade: 8,
    components: {
      // A light alert's coloured title (yellow on pale yellow) fails contrast: the colour stays
      // on the icon and the border, the words are in the text colour.
      Alert: Alert.extend({ styles: { title: { color: 'var(--mantine-color-text)' } } }),
      PasswordInput: PasswordInput.extend({
        defaultProps: { visibilityToggleFocusable: true, rightSectionWidth: 52 },
        styles: { visibilityToggle: { width: 44, height: 44, minWidth: 44, minHeight: 44 } },
      }),
    },
  }),
);

/** `dimmed` text (hints, dates) at AA contrast: Mantine's default gray.6 on white is 3.3:1. */
export const portalCssVariables: CSSVariablesResolver = () => ({
  variables: {},
  light: { '--mantine-color-dimmed': 'var(--mantine-color-gray-7)' },
  dark: {},
});
