/**
 * Transfer syntaxes: which ones the viewer decodes itself (uncompressed), and readable names for
 * the rest, so the refusal says which compression the file uses.
 */

export const IMPLICIT_LITTLE = '1.2.840.10008.1.2';
export const EXPLICIT_LITTLE = '1.2.840.10008.1.2.1';
export const EXPLICIT_BIG = '1.2.840.10008.1.2.2';

/** Uncompressed syntaxes the viewer renders (explicit big endian is retired but trivial). */
export const SUPPORTED_SYNTAXES: ReadonlySet<string> = new Set([IMPLICIT_LITTLE, EXPLICIT_LITTLE, EXPLICIT_BIG]);

const NAMES: Readonly<Record<string, string>> = {
  [IMPLICIT_LITTLE]: 'Implicit VR Little Endian',
  [EXPLICIT_LITTLE]: 'Explicit VR Little Endian',
  [EXPLICIT_BIG]: 'Explicit VR Big Endian',
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless SV1',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 Lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.4.201': 'HTJ2K Lossless',
  '1.2.840.10008.1.2.4.202': 'HTJ2K Lossless RPCL',
  '1.2.840.10008.1.2.4.203': 'HTJ2K',
  '1.2.840.10008.1.2.4.100': 'MPEG-2',
  '1.2.840.10008.1.2.4.102': 'MPEG-4 AVC/H.264',
  '1.2.840.10008.1.2.4.103': 'MPEG-4 AVC/H.264 BD',
  '1.2.840.10008.1.2.4.110': 'MPEG-4 AVC/H.264 Stereo',
  '1.2.840.10008.1.2.4.201.1': 'HTJ2K',
  '1.2.840.10008.1.2.4.107': 'HEVC/H.265',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
};

/** «JPEG Baseline (1.2.840.10008.1.2.4.50)»; an unknown UID as itself. */
export function transferSyntaxName(uid: string): string {
  const name = NAMES[uid];
  return name ? `${name} (${uid})` : uid;
}
