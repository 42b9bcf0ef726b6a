// The storage service's routes: the SOAP endpoint (storage.msn.com and
// tkrdr.storage.msn.com, over HTTPS) and the display pictures it names,
// served over plain HTTP and HTTPS at the address GetProfile gives
// (blufiles.storage.msn.com by default; client-quirks.md "HTTP and TLS").
import type { Core } from '../../core/core.js';
import type { Logger } from '../../log.js';
import { text, type Router, type WebHandler } from '../router.js';
import { soapHandler } from './endpoint.js';
import { AccountRate } from './rate.js';
import type { SoapRate } from './routes.js';
import { STORAGE_NS } from './storage-profile.js';
import { storageActions } from './storage.js';

export interface StorageWebOptions {
  /** The start of picture URLs (MSNPD_STORAGE_TILE_URL). */
  tileUrl: string;
}

export const STORAGE_PATH = '/storageservice/SchematizedStore.asmx';
const TILE_PREFIX = '/storage/usertile/';

/** SOAP body room for a picture of `maxPicture` bytes: its base64 and the envelope around it. */
export function pictureBodyLimit(maxPicture: number): number {
  return Math.ceil(maxPicture / 3) * 4 + 16 * 1024;
}

/**
 * `GET /storage/usertile/<key>/static`: the picture whose random key this is
 * (the key is the capability, as the original pre-authenticated URLs were; a
 * `?t=` MSNPSharp appends is not needed). Unknown keys get a 404.
 */
function tileHandler(core: Core): WebHandler {
  return async (req) => {
    const m = /^\/storage\/usertile\/([0-9a-f-]{36})\/static$/i.exec(req.path);
    const doc = m ? await core.profiles.pictureAt(m[1]!.toLowerCase()) : undefined;
    if (!doc) return text(404, 'Not Found', 'no such picture\n');
    return {
      status: 200,
      headers: {
        'Content-Type': doc.contentType,
        'Last-Modified': new Date(doc.modifiedAt).toUTCString(),
        'Cache-Control': 'private, max-age=86400',
        'X-Content-Type-Options': 'nosniff',
      },
      body: doc.data,
    };
  };
}

export function storageRoutes(router: Router, core: Core, log: Logger, limit: SoapRate, o: StorageWebOptions): void {
  const bodyLimit = pictureBodyLimit(core.profiles.limits.maxPictureBytes);
  const handler = soapHandler(core, log, {
    ns: STORAGE_NS,
    service: 'storage',
    rate: new AccountRate(limit.rate, limit.burst),
    actions: storageActions(core, o),
    bodyLimits: { CreateDocument: bodyLimit, UpdateDocument: bodyLimit },
    bulkElements: ['Data'],
  });
  router.on('POST', STORAGE_PATH, handler);
  router.onPrefix('GET', TILE_PREFIX, tileHandler(core));
}
