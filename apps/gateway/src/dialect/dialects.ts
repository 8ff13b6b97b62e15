import { AnthropicResponder } from '../anthropic/anthropic.responder';
import { OpenAIResponder } from '../openai/openai.responder';
import { ProblemDetailsResponder } from './problem-details.responder';
import type { ErrorResponder, Responder } from './responder';

export const openai: Responder = new OpenAIResponder();
export const anthropic = new AnthropicResponder();

/** Which dialect answers on which paths; the first prefix that matches wins. */
const DIALECTS: ReadonlyArray<readonly [prefix: string, responder: ErrorResponder]> = [
  ['/v1/messages', anthropic],
  ['/v1', openai],
  ['/admin/', new ProblemDetailsResponder()],
];

/** The responder of the dialect a path speaks, if it speaks one. */
export function responderFor(url: string): ErrorResponder | undefined {
  for (const [prefix, responder] of DIALECTS) if (url.startsWith(prefix)) return responder;
  return undefined;
}
