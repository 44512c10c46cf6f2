// Responding to a dispute from the app: read the draft (fields with sources, checklist, CE3.0),
// edit it, save it to Stripe, submit it, or accept the dispute. The actor is the Stripe user the
// signature names; the tenant is the verified account's.
import type { Router } from 'express';
import { acceptDispute } from '../disputes/evidence/accept-dispute.ts';
import { attachStripeFile, uploadEvidenceFile } from '../disputes/evidence/attach-file.ts';
import { generateEvidenceDocument } from '../disputes/evidence/generate-document.ts';
import type { EvidenceActor } from '../disputes/evidence/actor.ts';
import { getDraftView } from '../disputes/evidence/draft-view.ts';
import {
  getEvidenceSettings,
  setEvidenceSettings,
} from '../disputes/evidence/evidence-settings.ts';
import { editDraft } from '../disputes/evidence/edit-draft.ts';
import { saveEvidence } from '../disputes/evidence/save-evidence.ts';
import { submitEvidence } from '../disputes/evidence/submit-evidence.ts';
import { parse } from '../http/parse.ts';
import {
  AcceptBody,
  AttachFileBody,
  GenerateBody,
  UploadQuery,
  DisputeId,
  EvidenceEditBody,
  EvidenceSaveBody,
  EvidenceSettingsBody,
  EvidenceSubmitBody,
} from './contract.ts';
import type { AppApiDeps } from './deps.ts';
import { appCaller, connectedTenant } from './verify-app-request.ts';
import type { Response } from 'express';
import { readPool } from '../http/read-source.ts';

const actorOf = (res: Response): EvidenceActor => {
  const caller = appCaller(res);
  return { type: 'app_user', id: caller.userId, name: caller.userId };
};

export function evidenceRoutes(router: Router, deps: AppApiDeps) {
  const base = '/app/v1/disputes/:disputeId';
  const id = (raw: unknown) => parse(DisputeId, raw, 'dispute id');

  router.get(`${base}/evidence`, async (req, res) => {
    res.json(await getDraftView(deps.pool, connectedTenant(res).id, id(req.params.disputeId)));
  });

  router.post(`${base}/evidence`, async (req, res) => {
    const body = parse(EvidenceEditBody, req.body, 'body');
    res.json(
      await editDraft(
        deps.pool,
        connectedTenant(res).id,
        id(req.params.disputeId),
        {
          version: body.version,
          fields: body.fields,
        },
        actorOf(res),
      ),
    );
  });

  router.post(`${base}/evidence/save`, async (req, res) => {
    const body = parse(EvidenceSaveBody, req.body, 'body');
    res.json(
      await saveEvidence(
        deps,
        connectedTenant(res).id,
        id(req.params.disputeId),
        body,
        actorOf(res),
      ),
    );
  });

  router.post(`${base}/evidence/submit`, async (req, res) => {
    const body = parse(EvidenceSubmitBody, req.body, 'body');
    res.json(
      await submitEvidence(
        deps,
        connectedTenant(res).id,
        id(req.params.disputeId),
        body,
        actorOf(res),
      ),
    );
  });

  router.post(`${base}/evidence/files`, async (req, res) => {
    const body = parse(AttachFileBody, req.body, 'body');
    res.json(
      await attachStripeFile(
        deps,
        connectedTenant(res).id,
        id(req.params.disputeId),
        body,
        actorOf(res),
      ),
    );
  });

  // Raw bytes (PDF, JPEG, PNG ≤ 5 MB), read by the raw body parser routes.ts mounts for this path.
  router.post(`${base}/evidence/files/upload`, async (req, res) => {
    const q = parse(UploadQuery, req.query, 'query');
    const data = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    res.json(
      await uploadEvidenceFile(
        deps,
        connectedTenant(res).id,
        id(req.params.disputeId),
        { version: q.version, field: q.field, filename: q.filename, data },
        actorOf(res),
      ),
    );
  });

  router.post(`${base}/evidence/documents`, async (req, res) => {
    const body = parse(GenerateBody, req.body, 'body');
    res.json(
      await generateEvidenceDocument(
        deps,
        connectedTenant(res).id,
        id(req.params.disputeId),
        body,
        actorOf(res),
      ),
    );
  });

  router.get('/app/v1/settings/evidence', async (_req, res) => {
    res.json(await getEvidenceSettings(await readPool(res, deps.pool), connectedTenant(res).id));
  });

  router.post('/app/v1/settings/evidence', async (req, res) => {
    const body = parse(EvidenceSettingsBody, req.body, 'body');
    const tenant = connectedTenant(res);
    res.json(await setEvidenceSettings(deps.pool, tenant.id, body, appCaller(res).userId));
  });

  router.post(`${base}/accept`, async (req, res) => {
    const body = parse(AcceptBody, req.body, 'body');
    res.json(
      await acceptDispute(
        deps,
        connectedTenant(res).id,
        id(req.params.disputeId),
        body,
        actorOf(res),
      ),
    );
  });
}
