import { type RecordMirror } from '../sandbox/record-mirror.js';
import { type TecheaSandbox } from './sandbox.js';

/** TECHEA holds leads: every lead the gateway knows by a TECHEA lead id. */
export function techeaMirror(sandbox: TecheaSandbox): RecordMirror {
  return {
    lead: (lead) => {
      if (lead.techeaLeadId !== null) sandbox.addLead(lead.techeaLeadId);
    },
  };
}
