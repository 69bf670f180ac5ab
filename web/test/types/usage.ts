// Compiled by `make typecheck` (tsc --noEmit): the package's types as a user sees them. A wrong
// event name, detail field or error code here is a type error.
import { useRateCard, DEFAULT_SPEC, type CreditEstimatorElement, type EstimateError } from '../../../bin/package/credit-estimator.js';
import { load, EstimatorError } from '../../../bin/package/estimator.js';
import { OPS, ERROR_CODES, CONTROL_BLOCK, type ErrorCode, type OpName } from '../../../bin/package/facts.js';

const el = document.querySelector('credit-estimator') as CreditEstimatorElement;
el.spec = { resolution: DEFAULT_SPEC.resolution, fps: 60, durationSeconds: 8 };
el.addEventListener('credit-estimator-change', (e) => { const credits: string = e.detail.quote.credits; void credits; });
el.addEventListener('credit-estimator:error', (e) => { const code: ErrorCode = e.detail.error.code; void code; });
el.addEventListener('credit-estimator-card', (e) => { if (e.detail.state === 'verified') void e.detail.digest; });
const err: EstimateError = { code: 'unsupported_fps', field: 'fps', message: '' };
void err;
const op: OpName = OPS[0];
const codes: readonly ErrorCode[] = ERROR_CODES;
const max: number = CONTROL_BLOCK.maxRequestBytes;
void [op, codes, max];
useRateCard('/platform/ratecard.json', { digest: 'sha256:…' }).then((c) => c.version);
load().then((est) => est.estimate({ resolution: '1080p', fps: 30, durationSeconds: 10 })).catch((e) => e instanceof EstimatorError);
