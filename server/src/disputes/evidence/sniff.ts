// The type a file's bytes say it is — Stripe checks content, not names, and so do we: a text file
// named `.pdf` is not a PDF. Dispute evidence takes PDF, JPEG and PNG of at most 5 MB.
export const EVIDENCE_FILE_MAX_BYTES = 5 * 1024 * 1024;

export type EvidenceFileType = 'pdf' | 'jpg' | 'png';

export const MIME: Record<EvidenceFileType, string> = {
  pdf: 'application/pdf',
  jpg: 'image/jpeg',
  png: 'image/png',
};

export function sniffEvidenceType(data: Buffer): EvidenceFileType | null {
  if (data.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'jpg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.every((b, i) => data[i] === b)) return 'png';
  return null;
}
