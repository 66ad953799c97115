import type { Request } from 'express';
import busboy from 'busboy';
import { GwError } from '../../core/errors.js';

/** How much one upload request may carry. */
export interface UploadLimits {
  /** Files in one request. */
  maxFiles: number;
  /** Bytes of one file. */
  maxFileBytes: number;
}

/** One uploaded file, whole in memory (bounded by the limits). */
export interface UploadedFile {
  /** The name the client gave, shown only (never a path). */
  name: string;
  bytes: Buffer;
}

/** Room for the multipart framing and a few small fields beyond the files themselves. */
const FRAMING_BYTES = 64 * 1024;

/**
 * Reads the files of a multipart/form-data request with busboy, within `limits`. A request
 * that is not multipart, is malformed or carries no file answers GW_EVIDENCE_BAD_UPLOAD; a file
 * over the size limit GW_EVIDENCE_TOO_LARGE; too many files GW_EVIDENCE_TOO_MANY_FILES. A
 * Content-Length beyond what the limits allow is refused before any byte is read; otherwise
 * the request is read to its end before answering, so the client always gets the answer
 * rather than a reset connection.
 */
export function readUpload(req: Request, limits: UploadLimits): Promise<UploadedFile[]> {
  const type = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\s*;/i.test(type))
    return Promise.reject(new GwError('GW_EVIDENCE_BAD_UPLOAD', `Uploading evidence: the body is ${type ? JSON.stringify(type) : 'of no type'}; send multipart/form-data with the photos as files`));
  const length = Number(req.headers['content-length'] ?? NaN);
  const most = limits.maxFiles * limits.maxFileBytes + FRAMING_BYTES;
  if (Number.isFinite(length) && length > most) {
    req.resume();
    return Promise.reject(new GwError('GW_EVIDENCE_TOO_LARGE', `Uploading evidence: ${length} bytes, more than ${limits.maxFiles} files of ${limits.maxFileBytes} bytes can take`));
  }
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { files: limits.maxFiles, fileSize: limits.maxFileBytes, fields: 20, fieldSize: 4096, parts: limits.maxFiles + 20 } });
    } catch (err) {
      reject(new GwError('GW_EVIDENCE_BAD_UPLOAD', `Uploading evidence: ${(err as Error).message}`));
      return;
    }
    const files: UploadedFile[] = [];
    let problem: GwError | null = null;
    const fail = (e: GwError) => void (problem ??= e);
    bb.on('file', (_field, stream, info) => {
      const name = (info.filename ?? '').slice(0, 200) || `file-${files.length + 1}`;
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      // A body that ends inside a file fails the file stream too; the busboy 'error' answers it.
      stream.on('error', () => undefined);
      stream.on('limit', () => fail(new GwError('GW_EVIDENCE_TOO_LARGE', `Uploading evidence ${name}: more than the limit of ${limits.maxFileBytes} bytes per file`)));
      stream.on('close', () => {
        if (!problem) files.push({ name, bytes: Buffer.concat(chunks) });
      });
    });
    bb.on('filesLimit', () => fail(new GwError('GW_EVIDENCE_TOO_MANY_FILES', `Uploading evidence: more than ${limits.maxFiles} files in one request`)));
    bb.on('partsLimit', () => fail(new GwError('GW_EVIDENCE_BAD_UPLOAD', 'Uploading evidence: too many parts in the form')));
    bb.on('error', (err: Error) => {
      req.unpipe(bb);
      req.resume();
      reject(new GwError('GW_EVIDENCE_BAD_UPLOAD', `Uploading evidence: the multipart body is malformed (${err.message})`));
    });
    bb.on('close', () => {
      if (problem) reject(problem);
      else if (!files.length) reject(new GwError('GW_EVIDENCE_BAD_UPLOAD', 'Uploading evidence: the form has no file; send the photos as file parts (field "file")'));
      else resolve(files);
    });
    req.on('aborted', () => reject(new GwError('GW_EVIDENCE_BAD_UPLOAD', 'Uploading evidence: the client aborted the upload')));
    req.pipe(bb);
  });
}
