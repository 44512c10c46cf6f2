// Support staff answering a dispute on a merchant's behalf: read the draft (viewer), edit, save,
// submit or accept it (operator) — the same use cases as the app, with the token as the actor,
// each call audited by the registry.
import {
  AcceptBody,
  AcceptedSchema,
  AttachFileBody,
  GenerateBody,
  DisputeId,
  EvidenceDraftSchema,
  EvidenceEditBody,
  EvidenceSaveBody,
  EvidenceSettingsBody,
  EvidenceSettingsSchema,
  EvidenceSubmitBody,
} from '../../app-api/contract.ts';
import { acceptDispute } from '../../disputes/evidence/accept-dispute.ts';
import { attachStripeFile } from '../../disputes/evidence/attach-file.ts';
import { generateEvidenceDocument } from '../../disputes/evidence/generate-document.ts';
import type { EvidenceActor } from '../../disputes/evidence/actor.ts';
import { getDraftView } from '../../disputes/evidence/draft-view.ts';
import {
  getEvidenceSettings,
  setEvidenceSettings,
} from '../../disputes/evidence/evidence-settings.ts';
import { editDraft } from '../../disputes/evidence/edit-draft.ts';
import { saveEvidence } from '../../disputes/evidence/save-evidence.ts';
import { submitEvidence } from '../../disputes/evidence/submit-evidence.ts';
import { TenantParams } from '../contract.ts';
import type { AdminDeps } from '../deps.ts';
import { route } from './route-registry.ts';
import type { Actor } from '../access/roles.ts';

const tag = 'Disputes';
const DisputeParams = TenantParams.extend({ disputeId: DisputeId });
const actorOf = (a: Actor): EvidenceActor => ({ type: 'admin', id: a.id, name: a.name });
const base = '/admin/v1/tenants/:tenantId/disputes/:disputeId';

export const evidenceRoutes = (deps: AdminDeps) => [
  route({
    method: 'get',
    path: '/admin/v1/tenants/:tenantId/evidence-settings',
    role: 'viewer',
    tag,
    summary: 'A tenant’s evidence settings (automatic submission)',
    params: TenantParams,
    response: EvidenceSettingsSchema,
    handle: async ({ params, read }) => getEvidenceSettings(await read(), params.tenantId),
  }),
  route({
    method: 'post',
    path: '/admin/v1/tenants/:tenantId/evidence-settings',
    role: 'operator',
    tag,
    summary: 'Change a tenant’s evidence settings (automatic submission; never auto-accepts)',
    params: TenantParams,
    body: EvidenceSettingsBody,
    response: EvidenceSettingsSchema,
    handle: ({ params, body, actor }) =>
      setEvidenceSettings(deps.pool, params.tenantId, body, `support (${actor.name})`),
  }),
  route({
    method: 'get',
    path: `${base}/evidence`,
    role: 'viewer',
    tag,
    summary: 'A dispute’s evidence draft: fields with sources, checklist, CE3.0, what was done',
    params: DisputeParams,
    response: EvidenceDraftSchema,
    handle: ({ params }) => getDraftView(deps.pool, params.tenantId, params.disputeId),
  }),
  route({
    method: 'post',
    path: `${base}/evidence`,
    role: 'operator',
    tag,
    summary: 'Edit the draft (fields by Stripe’s names; `version` as read, else 409 stale_version)',
    params: DisputeParams,
    body: EvidenceEditBody,
    response: EvidenceDraftSchema,
    handle: ({ params, body, actor }) =>
      editDraft(
        deps.pool,
        params.tenantId,
        params.disputeId,
        {
          version: body.version,
          fields: body.fields,
        },
        actorOf(actor),
      ),
  }),
  route({
    method: 'post',
    path: `${base}/evidence/files`,
    role: 'operator',
    tag,
    summary:
      'Attach a File already on Stripe (dispute_evidence, PDF/JPEG/PNG ≤ 5 MB) to a file field',
    params: DisputeParams,
    body: AttachFileBody,
    response: EvidenceDraftSchema,
    handle: ({ params, body, actor }) =>
      attachStripeFile(deps, params.tenantId, params.disputeId, body, actorOf(actor)),
  }),
  route({
    method: 'post',
    path: `${base}/evidence/documents`,
    role: 'operator',
    tag,
    summary: 'Generate a receipt or the customer’s payment history as PDF and attach it',
    params: DisputeParams,
    body: GenerateBody,
    response: EvidenceDraftSchema,
    handle: ({ params, body, actor }) =>
      generateEvidenceDocument(deps, params.tenantId, params.disputeId, body, actorOf(actor)),
  }),
  route({
    method: 'post',
    path: `${base}/evidence/save`,
    role: 'operator',
    tag,
    summary: 'Save the draft at Stripe without submitting it',
    params: DisputeParams,
    body: EvidenceSaveBody,
    response: EvidenceDraftSchema,
    handle: ({ params, body, actor }) =>
      saveEvidence(deps, params.tenantId, params.disputeId, body, actorOf(actor)),
  }),
  route({
    method: 'post',
    path: `${base}/evidence/submit`,
    role: 'operator',
    tag,
    summary: 'Submit the evidence to the issuer (once; `confirm` is the dispute id)',
    params: DisputeParams,
    body: EvidenceSubmitBody,
    response: EvidenceDraftSchema,
    handle: ({ params, body, actor }) =>
      submitEvidence(deps, params.tenantId, params.disputeId, body, actorOf(actor)),
  }),
  route({
    method: 'post',
    path: `${base}/accept`,
    role: 'operator',
    tag,
    summary: 'Accept the dispute (close it as lost; `confirm` is the dispute id)',
    params: DisputeParams,
    body: AcceptBody,
    response: AcceptedSchema,
    handle: ({ params, body, actor }) =>
      acceptDispute(deps, params.tenantId, params.disputeId, body, actorOf(actor)),
  }),
];
