import { ApiKeyEntity } from './api-key.entity.js';
import { ApplicationDocumentEntity } from './application-document.entity.js';
import { ApplicationEntity } from './application.entity.js';
import { DispatchEntity, type StoredProviderError } from './dispatch.entity.js';
import { LeadEntity } from './lead.entity.js';
import { LoanEntity } from './loan.entity.js';
import { StatusChangeEntity } from './status-change.entity.js';
import { VerificationOperationEntity } from './verification-operation.entity.js';
import { VerificationEntity } from './verification.entity.js';

export type { StoredProviderError };
export {
  ApiKeyEntity,
  ApplicationDocumentEntity,
  ApplicationEntity,
  DispatchEntity,
  LeadEntity,
  LoanEntity,
  StatusChangeEntity,
  VerificationEntity,
  VerificationOperationEntity,
};

/** Every entity, as an explicit list so tsc, tsx and vitest all see the same set. */
export const ENTITIES = [
  LeadEntity,
  ApplicationEntity,
  ApplicationDocumentEntity,
  VerificationEntity,
  VerificationOperationEntity,
  LoanEntity,
  StatusChangeEntity,
  DispatchEntity,
  ApiKeyEntity,
];
