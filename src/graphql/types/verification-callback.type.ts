import { Field, ID, ObjectType } from 'type-graphql';
import { type IssuedVerificationCallback } from '../../services/verification-callbacks.js';
import { PLAIN_FIELDS } from './plain-fields.js';

@ObjectType('VerificationCallback', {
  ...PLAIN_FIELDS,
  description:
    'Where Tecalis must send the callbacks of one process. Give both URLs to Tecalis when the process is created (`replacements.callback` and `replacements.callback_ko`). Each carries a token bound to this process and your tenant: keep it as a secret, it is shown only this once. Callbacks about any other process, or through any other URL, are refused.',
})
export class VerificationCallbackObject {
  @Field(() => ID) authUuid!: string;
  @Field(() => String, { description: "For Tecalis's `replacements.callback`." }) callbackUrl!: string;
  @Field(() => String, {
    description: "For Tecalis's `replacements.callback_ko`: the same URL (the gateway reads the outcome from the callback itself).",
  })
  callbackKoUrl!: string;

  static from(issued: IssuedVerificationCallback): VerificationCallbackObject {
    return Object.assign(new VerificationCallbackObject(), {
      authUuid: issued.authUuid,
      callbackUrl: issued.callbackUrl.href,
      callbackKoUrl: issued.callbackKoUrl.href,
    });
  }
}
