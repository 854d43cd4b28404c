import { type RecordMirror } from '../sandbox/record-mirror.js';
import { type DecisionCloudSandbox } from './sandbox.js';

/** Decision Cloud holds customers: a lead's customer id, and every customer a stored loan is filed under. */
export function decisionCloudMirror(sandbox: DecisionCloudSandbox): RecordMirror {
  return {
    lead: (lead) => {
      if (lead.decisionCloudCustomerId !== null) sandbox.addCustomer(lead.decisionCloudCustomerId);
    },
    loanCustomer: (customerId) => void sandbox.addCustomer(customerId),
  };
}
